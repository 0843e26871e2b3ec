package dev.pier;

import dev.pier.cli.PierCommand;
import picocli.CommandLine;

/** Entry point: {@code pier serve | translate | version}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // serve returns after its drain, so every command ends here with its own exit code.
        System.exit(new CommandLine(new PierCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
