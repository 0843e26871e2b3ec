package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import dev.pier.source.file.ManifestParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TranslatorTest {

    private static List<HasMetadata> load(String name) throws Exception {
        Path file = Path.of("src/test/resources/translate", name + ".in.yaml");
        return ManifestParser.parse(name, Files.readString(file)).objects();
    }

    /** The same objects in any order give the same bytes: conflicts and precedence never depend on list order. */
    @Test
    void outputDoesNotDependOnInputOrder() throws Exception {
        for (String name : List.of("conflict", "precedence", "default-backend", "endpoints-slices", "tls",
                "gr-conflicts", "gr-precedence-merge", "gr-resolver")) {
            List<HasMetadata> objects = load(name);
            String expected = TranslationYaml.write(Translator.translate(ManifestParser.toSnapshot(objects), TranslateOptions.DEFAULTS, TranslatorGoldenTest.NOW));
            for (int seed = 0; seed < 4; seed++) {
                List<HasMetadata> shuffled = new ArrayList<>(objects);
                Collections.shuffle(shuffled, new Random(seed));
                String actual = TranslationYaml.write(Translator.translate(ManifestParser.toSnapshot(shuffled), TranslateOptions.DEFAULTS, TranslatorGoldenTest.NOW));
                assertThat(actual).as("%s shuffled with seed %d", name, seed).isEqualTo(expected);
            }
        }
    }

    /** What the cluster source calls on an EndpointSlice event must agree with what a full translation gives. */
    @Test
    void endpointsForServiceMatchesTheFullTranslation() throws Exception {
        var snapshot = ManifestParser.toSnapshot(load("endpoints-slices"));
        Map<ServiceKey, List<Endpoint>> full = Translator.translate(snapshot, TranslateOptions.DEFAULTS, java.time.Instant.now()).endpoints();
        Service shop = snapshot.services().stream().filter(s -> s.getMetadata().getName().equals("shop")).findFirst().orElseThrow();
        List<EndpointSlice> allSlices = snapshot.endpointSlices(); // includes other Services' and namespaces' slices

        Map<ServiceKey, List<Endpoint>> one = ServiceEndpoints.forService(shop, allSlices, false);

        assertThat(one).containsOnlyKeys(new ServiceKey("web", "shop", 80), new ServiceKey("web", "shop", 9090));
        one.forEach((key, list) -> assertThat(list).isEqualTo(full.get(key)));
        assertThat(one.get(new ServiceKey("web", "shop", 80))).extracting(Endpoint::host).doesNotContain("10.9.9.9", "10.8.8.8");
    }
}
