package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.VirtualHost;
import dev.pier.source.file.ManifestParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Translating with a {@link TranslationMemo} (what the pipeline does for each change) gives exactly
 * the full translation of the same snapshot, whatever changed since the last one, and hosts nothing
 * touched come out with the same route instances (which is what spares the data plane recompiling them).
 */
class IncrementalTranslationTest {

    static LongStream seeds() {
        return LongStream.range(1, 21);
    }

    /** Random changes, one at a time: after every one, the incremental result equals the full one. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void equalsTheFullTranslationAfterEveryChange(long seed) {
        RandomChanges cluster = new RandomChanges(seed);
        TranslationMemo memo = new TranslationMemo();
        TranslationResult last = null;
        for (int step = 0; step < 100; step++) {
            boolean changed = cluster.step();
            ResourceSnapshot snapshot = cluster.snapshot();
            TranslationResult full = Translator.translate(snapshot, TranslateOptions.DEFAULTS, TranslatorGoldenTest.NOW);
            TranslationResult incremental = Translator.translate(snapshot, TranslateOptions.DEFAULTS, TranslatorGoldenTest.NOW, memo);
            assertThat(incremental).as("seed %d step %d after %s", seed, step, cluster.lastChange()).isEqualTo(full);
            if (!changed && last != null) {
                // GatewayRoutes are translated anew each time; hosts of Ingress routes alone are kept.
                Map<String, VirtualHost> before = byName(last);
                for (VirtualHost host : incremental.table().virtualHosts()) {
                    if (host.routes().stream().allMatch(r -> r.source().kind().equals("Ingress")))
                        assertSameRoutes(host, before.get(host.hostname()), "seed " + seed + " step " + step + ": nothing changed");
                }
            }
            last = incremental;
        }
    }

    /** One Ingress changes among many: every other host is the instance the last translation made. */
    @Test
    void keepsTheHostsOfObjectsThatDidNotChange() throws Exception {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\n"
                + "spec: {ports: [{port: 80}]}\n");
        for (int i = 0; i < 50; i++) yaml.append(ingress(i, "/"));
        List<HasMetadata> objects = new ArrayList<>(ManifestParser.parse("many.yaml", yaml.toString()).objects());
        TranslationMemo memo = new TranslationMemo();
        TranslationResult before = Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS,
                TranslatorGoldenTest.NOW, memo);
        objects.set(8, ManifestParser.parse("one.yaml", ingress(7, "/changed")).objects().get(0)); // ing7 (after the Service)
        TranslationResult after = Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS,
                TranslatorGoldenTest.NOW, memo);

        Map<String, VirtualHost> old = byName(before);
        assertThat(memo.reusedIngresses()).isEqualTo(49);
        for (VirtualHost host : after.table().virtualHosts()) {
            if (host.hostname().equals("h7.example.com")) {
                assertThat(host.routes().get(0)).isNotSameAs(old.get("h7.example.com").routes().get(0));
                assertThat(host.routes().get(0).match().path().value()).isEqualTo("/changed");
            } else {
                assertSameRoutes(host, old.get(host.hostname()), host.hostname());
            }
        }
        assertThat(after).isEqualTo(Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS,
                TranslatorGoldenTest.NOW));
    }

    /** A Service an Ingress names changes: that Ingress is translated again, its neighbours are not. */
    @Test
    void aServiceChangeRetranslatesTheIngressesThatNameIt() throws Exception {
        String services = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec: {ports: [{port: 80}]}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: other, namespace: a}\nspec: {ports: [{port: 80}]}\n";
        List<HasMetadata> objects = new ArrayList<>(ManifestParser.parse("s.yaml", services).objects());
        objects.addAll(ManifestParser.parse("i.yaml", ingress(1, "/") + ingress(2, "/").replace("name: web", "name: other")).objects());
        TranslationMemo memo = new TranslationMemo();
        TranslationResult before = Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS,
                TranslatorGoldenTest.NOW, memo);
        objects.set(0, ManifestParser.parse("s.yaml", services.replace("port: 80}]}\n---", "port: 81}]}\n---")).objects().get(0));
        TranslationResult after = Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS,
                TranslatorGoldenTest.NOW, memo);

        assertThat(memo.reusedIngresses()).isEqualTo(1);
        assertSameRoutes(byName(after).get("h2.example.com"), byName(before).get("h2.example.com"), "h2.example.com");
        assertThat(after).isEqualTo(Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS,
                TranslatorGoldenTest.NOW));
        assertThat(after.statuses().stream().filter(s -> s.object().name().equals("ing1")).findFirst().orElseThrow().problems())
                .as("the port is gone from the Service: ing1 says so").isNotEmpty();
    }

    /**
     * Every golden input, with the memo of the same input less one object: adding the object back and
     * taking it away again each give the full translation.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.pier.translate.TranslatorGoldenTest#cases")
    void goldenInputsOneObjectAtATime(String name) throws Exception {
        String input = Files.readString(Path.of("src/test/resources/translate", name + ".in.yaml"), StandardCharsets.UTF_8);
        TranslateOptions options = TranslatorGoldenTest.options(input);
        List<HasMetadata> all = ManifestParser.parse(name, input).objects();
        TranslationMemo memo = new TranslationMemo();
        for (int i = 0; i < all.size(); i++) {
            List<HasMetadata> less = new ArrayList<>(all);
            less.remove(i);
            for (List<HasMetadata> objects : List.of(less, all, less)) {
                ResourceSnapshot snapshot = ManifestParser.toSnapshot(objects);
                assertThat(Translator.translate(snapshot, options, TranslatorGoldenTest.NOW, memo))
                        .as("%s without object %d, then with it", name, i)
                        .isEqualTo(Translator.translate(snapshot, options, TranslatorGoldenTest.NOW));
            }
        }
    }

    private static String ingress(int i, String path) {
        return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ing" + i + ", namespace: a}\n"
                + "spec:\n  ingressClassName: pier\n  rules:\n    - host: h" + i + ".example.com\n      http:\n        paths:\n"
                + "          - {path: " + path + ", pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    }

    private static Map<String, VirtualHost> byName(TranslationResult result) {
        return result.table().virtualHosts().stream().collect(Collectors.toMap(VirtualHost::hostname, Function.identity()));
    }

    /** A host the data plane carries over: the same route instances in the same order (see CompiledHost.compiledFrom). */
    private static void assertSameRoutes(VirtualHost now, VirtualHost before, String what) {
        assertThat(before).as(what).isNotNull();
        assertThat(now.routes()).as(what).hasSameSizeAs(before.routes());
        for (int i = 0; i < now.routes().size(); i++) assertThat(now.routes().get(i)).as(what).isSameAs(before.routes().get(i));
    }
}
