package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.source.file.ManifestParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: {@code src/test/resources/translate/<case>.in.yaml} is translated and printed
 * with {@link TranslationYaml} and must equal {@code <case>.out.yaml}. An optional first line
 * {@code # options: allowExternalName=true ingressClass=x controllerName=y resolverNamespaces=a,b acmeAllowHosts=a,*.b} sets
 * the options (acmeAllowHosts turns ACME on).
 * <p>
 * To re-record after an intended change, run
 * {@code mvn -o test -Dtest=TranslatorGoldenTest -Dpier.golden.update=true}, then read every
 * changed .out.yaml before committing: a golden file that encodes a bug is worse than none.
 */
public class TranslatorGoldenTest {
    private static final Path DIR = Path.of("src/test/resources/translate");
    private static final boolean UPDATE = Boolean.getBoolean("pier.golden.update");
    /** The instant golden certificates are checked against: the golden certificates were made valid around it. */
    public static final java.time.Instant NOW = java.time.Instant.parse("2026-06-01T00:00:00Z");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".in.yaml"))
                    .map(n -> n.substring(0, n.length() - ".in.yaml".length()))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesAsRecorded(String name) throws Exception {
        String input = Files.readString(DIR.resolve(name + ".in.yaml"), StandardCharsets.UTF_8);
        var manifests = ManifestParser.parse(name + ".in.yaml", input);
        assertThat(manifests.warnings()).as("a golden input holds only what Pier reads").isEmpty();
        var snapshot = ManifestParser.toSnapshot(manifests.objects());
        String actual = TranslationYaml.write(Translator.translate(snapshot, options(input), NOW));
        Path expected = DIR.resolve(name + ".out.yaml");
        if (UPDATE) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(expected).as("golden file %s (record it with -Dpier.golden.update=true)", expected).exists();
        assertThat(actual).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }

    /** Reads {@code # options: key=value ...} from the first line, over the defaults. */
    static TranslateOptions options(String input) {
        String ingressClass = TranslateOptions.DEFAULTS.ingressClass();
        String controller = TranslateOptions.DEFAULTS.controllerName();
        boolean externalName = TranslateOptions.DEFAULTS.allowExternalName();
        java.util.Set<String> resolverNamespaces = TranslateOptions.DEFAULTS.resolverNamespaces();
        dev.pier.model.ObjectRef defaultCertificate = null;
        AcmePolicy acme = AcmePolicy.OFF;
        String first = input.lines().findFirst().orElse("");
        if (first.startsWith("# options:")) {
            for (String pair : first.substring("# options:".length()).trim().split("\\s+")) {
                String[] kv = pair.split("=", 2);
                switch (kv[0]) {
                    case "ingressClass" -> ingressClass = kv[1];
                    case "controllerName" -> controller = kv[1];
                    case "allowExternalName" -> externalName = Boolean.parseBoolean(kv[1]);
                    case "resolverNamespaces" -> resolverNamespaces = java.util.Set.of(kv[1].split(","));
                    case "defaultCertificate" -> defaultCertificate = TranslateOptions.secretRef(kv[1]);
                    case "acmeAllowHosts" -> acme = new AcmePolicy(true, AcmeHostAllowlist.parse(java.util.List.of(kv[1].split(","))));
                    default -> throw new IllegalArgumentException("unknown option " + kv[0] + " in " + first);
                }
            }
        }
        return new TranslateOptions(ingressClass, controller, externalName, resolverNamespaces, defaultCertificate, acme);
    }
}
