package dev.pier.proxy;

import static dev.pier.proxy.Fixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import dev.pier.model.RoutingTable;
import dev.pier.model.VirtualHost;
import dev.pier.testing.H2spec;
import dev.pier.testing.TlsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * h2spec (the HTTP/2 conformance suite, run by {@link H2spec}) over TLS with ALPN h2, on both
 * engines. Skipped with the reason when the binary is absent, failed instead under
 * {@code PIER_REQUIRE_KUBE=true} (CI), where scripts/test.sh builds it.
 */
class H2specTlsTest {
    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void everyCasePassesOverTls(TlsEngine engine) throws Exception {
        Path h2spec = H2spec.requireBinary();
        ProxyOptions options = new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                ProxyOptions.DEFAULT_SERVER_HEADER).withHttps(0, 443, engine);
        try (Fixture f = new Fixture(new SimpleMeterRegistry(), options)) {
            f.endpoints("svc", f.backend("svc", req -> req.body().onSuccess(b -> req.response().end("ok\n"))));
            f.plane.apply(new RoutingTable(List.of(new VirtualHost("*", List.of(route("r", PathMatch.prefix("/"), "svc")))),
                    null, List.of(TlsClient.certificate("h2spec", List.of("localhost"))), null));
            long frontTookBefore = H2Front.taken();
            H2spec.Report report = H2spec.run(h2spec, "localhost", f.plane.httpsPort(), true);
            assertThat(H2Front.taken() - frontTookBefore).as("ALPN h2 connections H2Front served")
                    .matches(took -> H2Front.enabled() ? took > 0 : took == 0);
            System.out.println("h2spec " + H2spec.VERSION + " over TLS (" + engine + "): " + report.summary());
            assertThat(report.passed()).as(report.output()).hasSizeGreaterThan(100);
            assertThat(report.failed()).as(report.output()).isSubsetOf(STREAM_ORDER_CASES);
        }
    }

    /**
     * The stream-order cases Netty answers with a stream reset where RFC 9113 asks for a connection
     * error. On h2c the edge's frame reader (H2StreamOrder) turns them into GOAWAY; over TLS it would
     * have to sit behind the TLS handler, which it does not yet. Any other failure fails this test.
     */
    static final Set<String> STREAM_ORDER_CASES = Set.of("http2/5.1/6", "http2/5.1/12", "http2/5.1.1/2");
}
