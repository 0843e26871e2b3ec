package dev.pier.cli;

import picocli.CommandLine.Command;

@Command(name = "pier", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Pier: a Kubernetes ingress controller with a Vert.x data plane.",
        subcommands = {ServeCommand.class, TranslateCommand.class, ExplainCommand.class, VersionCommand.class})
public final class PierCommand {
}
