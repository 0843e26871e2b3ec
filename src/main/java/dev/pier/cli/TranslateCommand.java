package dev.pier.cli;

import dev.pier.source.file.FileSource;
import dev.pier.source.file.ManifestException;
import dev.pier.source.file.ManifestParser;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.TranslationYaml;
import dev.pier.translate.Translator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Read the same inputs as serve, print the routing table and every object's status as YAML, serve nothing.")
public final class TranslateCommand implements Callable<Integer> {

    @Option(names = "--file", paramLabel = "PATH", split = ",", required = true,
            description = "A YAML file, or a directory of *.yaml/*.yml; repeatable.")
    List<Path> files;

    @Mixin
    TranslateFlags translate;

    @Override
    public Integer call() throws Exception {
        List<HasMetadata> objects;
        try {
            objects = FileSource.read(FileSource.listFiles(files));
        } catch (ManifestException e) {
            System.err.println("pier translate: " + e.getMessage());
            return 1;
        }
        TranslationResult result = Translator.translate(ManifestParser.toSnapshot(objects),
                translate.options());
        System.out.print(TranslationYaml.write(result));
        return 0;
    }
}
