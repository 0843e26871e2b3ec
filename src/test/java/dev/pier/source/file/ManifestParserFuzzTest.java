package dev.pier.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes manifest parsing: any text either parses (objects, warnings naming a line) or is refused
 * with a {@link ManifestException} naming the source; nothing else may escape, whatever the YAML.
 * Seeds: {@code ManifestParserFuzzTestInputs/parse}.
 */
class ManifestParserFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Manifests manifests;
        try {
            manifests = ManifestParser.parse("fuzz.yaml", text);
        } catch (ManifestException refused) {
            assertThat(refused.getMessage()).startsWith("fuzz.yaml");
            return;
        }
        for (Manifests.Warning w : manifests.warnings()) {
            assertThat(w.source()).isEqualTo("fuzz.yaml");
            assertThat(w.line()).isPositive();
        }
        ManifestParser.toSnapshot(manifests.objects());
    }
}
