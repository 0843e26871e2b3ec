package dev.pier.cli;

import dev.pier.BuildInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "version", description = "Print Pier's version, the commit and time it was built from, and what it runs on.")
public final class VersionCommand implements Callable<Integer> {

    static String version() {
        return BuildInfo.current().version();
    }

    @Override
    public Integer call() {
        BuildInfo build = BuildInfo.current();
        System.out.println("pier " + build.version());
        System.out.println("commit " + build.commit());
        System.out.println("built " + build.buildTime());
        System.out.println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("vert.x " + io.vertx.core.impl.VertxImpl.version());
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
