package dev.pier.cli;

import dev.pier.model.ObjectStatus;
import dev.pier.model.Problem;
import dev.pier.source.file.FileSource;
import dev.pier.source.file.ManifestException;
import dev.pier.source.file.ManifestParser;
import dev.pier.source.file.Manifests;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.TranslationYaml;
import dev.pier.translate.Translator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Read the same inputs as serve, print the routing table and every object's status as YAML, serve nothing.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
                "0:the table is printed and no object has a problem",
                "1:the table is printed and at least one object has a problem (see statuses; also listed on stderr)",
                "2:nothing is printed: a file cannot be read or parsed, or the command line is wrong"})
public final class TranslateCommand implements Callable<Integer> {
    /** Where the command writes: picocli's out and err (the process's, unless a caller set others). */
    @Spec
    CommandSpec spec;

    static final int PROBLEMS = 1;
    static final int UNREADABLE = 2;

    @Option(names = "--file", paramLabel = "PATH", split = ",", required = true,
            description = "A YAML file, or a directory of *.yaml/*.yml; repeatable.")
    List<Path> files;

    @Mixin
    TranslateFlags translate;

    @Override
    public Integer call() {
        Manifests manifests;
        try {
            manifests = FileSource.read(FileSource.listFiles(files));
        } catch (ManifestException | IOException e) {
            spec.commandLine().getErr().println("pier translate: " + e.getMessage());
            return UNREADABLE;
        }
        manifests.warnings().forEach(w -> spec.commandLine().getErr().println("pier translate: warning: " + w));
        TranslationResult result = Translator.translate(ManifestParser.toSnapshot(manifests.objects()), translate.options(true), java.time.Instant.now());
        spec.commandLine().getOut().print(TranslationYaml.write(result));
        spec.commandLine().getOut().flush();
        int problems = 0;
        for (ObjectStatus status : result.statuses()) {
            for (Problem p : status.problems()) {
                spec.commandLine().getErr().println("pier translate: problem: " + status.object() + ": " + p.text());
                problems++;
            }
        }
        if (problems == 0) return 0;
        spec.commandLine().getErr().println("pier translate: " + problems + (problems == 1 ? " problem" : " problems") + " (exit code 1)");
        return PROBLEMS;
    }
}
