package dev.pier.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "version", description = "Print Pier's version and what it runs on.")
public final class VersionCommand implements Callable<Integer> {

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public Integer call() {
        System.out.println("pier " + version());
        System.out.println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("vert.x " + io.vertx.core.impl.VertxImpl.version());
        return 0;
    }

    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"pier " + version()};
        }
    }
}
