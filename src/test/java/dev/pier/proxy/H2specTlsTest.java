package dev.pier.proxy;

import static dev.pier.proxy.Fixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import dev.pier.model.RoutingTable;
import dev.pier.model.VirtualHost;
import dev.pier.testing.TlsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * h2spec (the HTTP/2 conformance suite, built by scripts/h2spec-tool.sh) over TLS with ALPN h2, on
 * both engines. Skipped with the reason when the binary is absent, failed instead under
 * {@code PIER_REQUIRE_KUBE=true} (CI), where scripts/test.sh builds it.
 */
class H2specTlsTest {
    private static final String VERSION = "v2.2.1";
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) skipped, (\\d+) failed");

    static Path binary() {
        for (String dir : new String[]{System.getenv("PIER_H2SPEC_BIN"),
                System.getProperty("user.home") + "/.cache/pier/h2spec/" + VERSION + "/bin"}) {
            if (dir == null || dir.isEmpty()) continue;
            Path bin = Path.of(dir).resolve("h2spec");
            if (Files.isExecutable(bin)) return bin;
        }
        String reason = "h2spec not found (PIER_H2SPEC_BIN or ~/.cache/pier/h2spec/" + VERSION + "/bin); run scripts/h2spec-tool.sh";
        if ("true".equals(System.getenv("PIER_REQUIRE_KUBE"))) Assertions.fail(reason);
        Assumptions.abort(reason);
        return null;
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void everyCasePassesOverTls(TlsEngine engine) throws Exception {
        Path h2spec = binary();
        ProxyOptions options = new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                ProxyOptions.DEFAULT_SERVER_HEADER).withHttps(0, 443, engine);
        try (Fixture f = new Fixture(new SimpleMeterRegistry(), options)) {
            f.endpoints("svc", f.backend("svc", req -> req.body().onSuccess(b -> req.response().end("ok\n"))));
            f.plane.apply(new RoutingTable(List.of(new VirtualHost("*", List.of(route("r", PathMatch.prefix("/"), "svc")))),
                    null, List.of(TlsClient.certificate("h2spec", List.of("localhost"))), null));
            Path junit = Files.createTempFile("h2spec-tls", ".xml");
            try {
                Process p = new ProcessBuilder(h2spec.toString(), "-h", "localhost", "-p", Integer.toString(f.plane.httpsPort()),
                        "-t", "-k", "-o", "5", "-j", junit.toString()).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("h2spec finished").isTrue();
                Matcher m = SUMMARY.matcher(output);
                assertThat(m.find()).as(output).isTrue();
                System.out.println("h2spec " + VERSION + " over TLS (" + engine + "): " + m.group());
                assertThat(Integer.parseInt(m.group(2))).as(output).isGreaterThan(100);
                assertThat(failedCases(Files.readString(junit))).as(output).isSubsetOf(FRAMING_CASES_OF_ISSUE_9);
            } finally {
                Files.deleteIfExists(junit);
            }
        }
    }

    /**
     * The cases the shared HTTP/2 server fails on h2c too: stream-state framing the edge work of issue 9
     * fixes for both listeners (they share one server setup). Any other failure fails this test;
     * once that fix is merged this set is emptied.
     */
    static final Set<String> FRAMING_CASES_OF_ISSUE_9 = Set.of("http2/5.1/6", "http2/5.1/12", "http2/5.1.1/2");

    private static final Pattern CASE = Pattern.compile(
            "<testcase package=\"([^\"]*)\" classname=\"(\\d+)[^\"]*\"[^>]*?(/>|>(.*?)</testcase>)", Pattern.DOTALL);

    /** The failed cases' ids ({@code http2/5.1/6}: section, then the case's number) from h2spec's JUnit report. */
    static Set<String> failedCases(String junitXml) {
        Set<String> failed = new java.util.TreeSet<>();
        Matcher m = CASE.matcher(junitXml);
        while (m.find()) {
            String body = m.group(4) == null ? "" : m.group(4);
            if (body.contains("<failure") || body.contains("<error")) failed.add(m.group(1) + "/" + m.group(2));
        }
        return failed;
    }
}
