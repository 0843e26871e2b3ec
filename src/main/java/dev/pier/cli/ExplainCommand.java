package dev.pier.cli;

import dev.pier.admin.ExplainReport;
import dev.pier.proxy.DataPlane;
import dev.pier.proxy.ExplainRequest;
import dev.pier.proxy.Explanation;
import dev.pier.source.file.FileSource;
import dev.pier.source.file.ManifestException;
import dev.pier.source.file.ManifestParser;
import dev.pier.source.file.Manifests;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.Translator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Which rule a request would take, and why: the host step, every rule of the virtual host with its"
                + " verdict (and the precedence step when it matched but lost), the winner's filters and its backends"
                + " with their endpoints. Uses the data plane's own matcher. For a running Pier: GET /debug/explain on the admin port.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
                "0:a rule (or the default route) takes the request",
                "1:no rule takes it: Pier would answer 404",
                "2:a file cannot be read or parsed, or the command line is wrong"})
public final class ExplainCommand implements Callable<Integer> {
    /** Where the command writes: picocli's out and err (the process's, unless a caller set others). */
    @Spec
    CommandSpec spec;


    @Option(names = "--file", paramLabel = "PATH", split = ",", required = true,
            description = "A YAML file, or a directory of *.yaml/*.yml; repeatable.")
    List<Path> files;

    @Option(names = "--host", required = true, description = "The request's Host (a port is ignored).")
    String host;

    @Option(names = "--path", defaultValue = "/", description = "The request's path; a query may follow '?'. Default: /.")
    String path;

    @Option(names = "--method", defaultValue = "GET", description = "Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A request header; repeatable.")
    List<String> headers;

    @Option(names = "--output", paramLabel = "text|json", defaultValue = "text", description = "Default: ${DEFAULT-VALUE}.")
    Output output;

    enum Output { text, json }

    @Mixin
    TranslateFlags translate;

    @Override
    public Integer call() {
        ExplainRequest request;
        try {
            Map<String, String> parsed = new LinkedHashMap<>();
            if (headers != null) {
                for (String h : headers) {
                    int eq = h.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--header must be NAME=VALUE, not " + h);
                    parsed.put(h.substring(0, eq), h.substring(eq + 1));
                }
            }
            request = new ExplainRequest(host, path, method, parsed);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("pier explain: " + e.getMessage());
            return 2;
        }
        Manifests manifests;
        try {
            manifests = FileSource.read(FileSource.listFiles(files));
        } catch (ManifestException | IOException e) {
            spec.commandLine().getErr().println("pier explain: " + e.getMessage());
            return 2;
        }
        TranslationResult result = Translator.translate(ManifestParser.toSnapshot(manifests.objects()), translate.options(true), // as translate does
                java.time.Instant.now());
        Explanation explanation = DataPlane.explain(result.table(), result.endpoints(), request);
        spec.commandLine().getOut().print(output == Output.json ? ExplainReport.json(explanation) : ExplainReport.text(explanation));
        spec.commandLine().getOut().flush();
        return explanation.winner() == null ? 1 : 0;
    }
}
