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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Read the same inputs as serve, print the routing table and every object's status as YAML, serve nothing.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
                "0:the table is printed and no object has a problem",
                "1:the table is printed and at least one object has a problem (see statuses; also listed on stderr)",
                "2:nothing is printed: a file cannot be read or parsed, or the command line is wrong"})
public final class TranslateCommand implements Callable<Integer> {
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
            System.err.println("pier translate: " + e.getMessage());
            return UNREADABLE;
        }
        manifests.warnings().forEach(w -> System.err.println("pier translate: warning: " + w));
        TranslationResult result = Translator.translate(ManifestParser.toSnapshot(manifests.objects()), translate.options(true), java.time.Instant.now());
        System.out.print(TranslationYaml.write(result));
        int problems = 0;
        for (ObjectStatus status : result.statuses()) {
            for (Problem p : status.problems()) {
                System.err.println("pier translate: problem: " + status.object() + ": " + p.text());
                problems++;
            }
        }
        if (problems == 0) return 0;
        System.err.println("pier translate: " + problems + (problems == 1 ? " problem" : " problems") + " (exit code 1)");
        return PROBLEMS;
    }
}
