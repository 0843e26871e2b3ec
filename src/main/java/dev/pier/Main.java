package dev.pier;

import dev.pier.cli.PierCommand;
import picocli.CommandLine;

/** Entry point: {@code pier serve | translate | version}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = new CommandLine(new PierCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || !isServe(args)) System.exit(code);
    }

    private static boolean isServe(String[] args) {
        return args.length > 0 && args[0].equals("serve");
    }
}
