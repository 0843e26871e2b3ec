package dev.pier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * h2spec, the HTTP/2 conformance suite, run against a port (h2c or TLS): built by
 * scripts/h2spec-tool.sh, found via {@code PIER_H2SPEC_BIN} or {@code ~/.cache/pier/h2spec}.
 * Without it a test is skipped with the reason, unless {@code PIER_REQUIRE_KUBE=true} (CI), where
 * the tools scripts/test.sh installs must be there.
 */
public final class H2spec {
    public static final String VERSION = "v2.2.1";

    private H2spec() {
    }

    /** One run: every case's id ({@code http2/5.1.1/2}: section, then the case's number) by outcome, and h2spec's output. */
    public record Report(List<String> passed, List<String> failed, String output) {
        /** h2spec's own summary line ("146 tests, 146 passed, 0 skipped, 0 failed"), or its whole output when it printed none. */
        public String summary() {
            Matcher m = SUMMARY.matcher(output);
            return m.find() ? m.group() : output;
        }
    }

    public static Optional<Path> binary() {
        for (String dir : new String[]{System.getenv("PIER_H2SPEC_BIN"),
                System.getProperty("user.home") + "/.cache/pier/h2spec/" + VERSION + "/bin"}) {
            if (dir == null || dir.isEmpty()) continue;
            Path bin = Path.of(dir).resolve("h2spec");
            if (Files.isExecutable(bin)) return Optional.of(bin);
        }
        return Optional.empty();
    }

    /** The binary, or the test is skipped (failed under PIER_REQUIRE_KUBE=true) with how to get it. */
    public static Path requireBinary() {
        Optional<Path> bin = binary();
        if (bin.isEmpty()) {
            String reason = "h2spec not found (PIER_H2SPEC_BIN or ~/.cache/pier/h2spec/" + VERSION + "/bin); run scripts/h2spec-tool.sh";
            if ("true".equals(System.getenv("PIER_REQUIRE_KUBE"))) Assertions.fail(reason);
            Assumptions.abort(reason);
        }
        return bin.get();
    }

    /** Runs every case against {@code host:port} ({@code tls}: over TLS, certificate not verified). */
    public static Report run(Path binary, String host, int port, boolean tls) throws IOException, InterruptedException {
        Path junit = Files.createTempFile("h2spec", ".xml");
        try {
            List<String> command = new ArrayList<>(List.of(binary.toString(), "-h", host, "-p", Integer.toString(port),
                    "-o", "5", "-j", junit.toString()));
            if (tls) command.addAll(List.of("-t", "-k"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("h2spec did not finish in 5 minutes");
            }
            return parse(Files.readString(junit), output);
        } finally {
            Files.deleteIfExists(junit);
        }
    }

    /** A case: its section ({@code http2/5.1}) and its body; its number is its place in the section, as h2spec prints it. */
    private static final Pattern CASE = Pattern.compile(
            "<testcase package=\"([^\"]*)\"[^>]*?(/>|>(.*?)</testcase>)", Pattern.DOTALL);

    static Report parse(String junitXml, String output) {
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        java.util.Map<String, Integer> numbers = new java.util.HashMap<>();
        Matcher m = CASE.matcher(junitXml);
        while (m.find()) {
            String id = m.group(1) + "/" + numbers.merge(m.group(1), 1, Integer::sum);
            String body = m.group(3) == null ? "" : m.group(3);
            boolean bad = body.contains("<failure") || body.contains("<error");
            boolean skipped = body.contains("<skipped");
            if (skipped) continue;
            (bad ? failed : passed).add(id);
        }
        return new Report(passed, failed, output);
    }

    private static final Pattern SUMMARY = Pattern.compile("\\d+ tests, \\d+ passed, \\d+ skipped, \\d+ failed");
}
