package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the path policy: whatever the path, {@link PathNormalizer#normalize} either refuses it or
 * returns a path that is normal by every rule of the policy and that normalises to itself (the same
 * String). Seeds: {@code PathNormalizerFuzzTestInputs/normalize}. {@code mvn verify} replays them;
 * {@code scripts/fuzz.sh} fuzzes.
 */
class PathNormalizerFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void normalize(byte[] input) throws Exception {
        String path = new String(input, StandardCharsets.ISO_8859_1); // as an HTTP/1 request line's bytes read
        String normal;
        try {
            normal = PathNormalizer.normalize(path);
        } catch (PathNormalizer.Rejected refused) {
            assertThat(refused.getMessage()).endsWith("\n");
            return;
        }
        assertThat(normal).startsWith("/").doesNotContain("//").doesNotContain("\\");
        assertThat(normal.chars()).noneMatch(c -> c < 0x20 || c == 0x7f);
        for (String segment : normal.substring(1).split("/", -1)) {
            assertThat(segment).as("a dot segment left in %s", normal).isNotIn(".", "..");
            assertThat(segment).doesNotStartWith(".;").doesNotStartWith("..;");
        }
        for (int i = normal.indexOf('%'); i >= 0; i = normal.indexOf('%', i + 1)) {
            String escape = normal.substring(i, Math.min(i + 3, normal.length()));
            assertThat(escape).as("escape in %s", normal).matches("%[0-9A-F]{2}");
            char decoded = (char) Integer.parseInt(escape.substring(1), 16);
            assertThat(Character.isLetterOrDigit(decoded) && decoded < 0x80 || "-._~".indexOf(decoded) >= 0)
                    .as("an unreserved character left encoded in %s", normal).isFalse();
        }
        assertThat(PathNormalizer.normalize(normal)).as("normalising %s again", normal).isSameAs(normal);
        if (path.equals(normal)) assertThat(normal).as("an already-normal path is not copied").isSameAs(path);
    }
}
