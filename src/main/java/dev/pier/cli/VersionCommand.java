package dev.pier.cli;

import dev.pier.BuildInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;

@Command(name = "version", description = "Print Pier's version, the commit and time it was built from, and what it runs on.")
public final class VersionCommand implements Callable<Integer> {
    /** Where the command writes: picocli's out and err (the process's, unless a caller set others). */
    @Spec
    CommandSpec spec;


    static String version() {
        return BuildInfo.current().version();
    }

    @Override
    public Integer call() {
        BuildInfo build = BuildInfo.current();
        spec.commandLine().getOut().println("pier " + build.version());
        spec.commandLine().getOut().println("commit " + build.commit());
        spec.commandLine().getOut().println("built " + build.buildTime());
        spec.commandLine().getOut().println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        spec.commandLine().getOut().println("vert.x " + io.vertx.core.impl.VertxImpl.version());
        return 0;
    }

    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            BuildInfo build = BuildInfo.current();
            return new String[]{"pier " + build.version() + " (commit " + build.commit() + ", built " + build.buildTime() + ")"};
        }
    }
}
