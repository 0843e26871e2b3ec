package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the edge answers is counted and logged where an operator looks (docs/metrics.md, "Answers
 * at the edge"): refused heads and head timeouts under route {@code none}, a stalled body under the
 * route it was going to, and the access log's client is the one the trusted-proxy decision names.
 */
class EdgeOutcomesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_ROUTE = "namespace=\"\",route=\"none\",service=\"none\"";
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AccessLogTest.Sink sink = new AccessLogTest.Sink();
    AccessLog log;
    Fixture f;

    private void start(EdgePolicy edge) {
        log = new AccessLog(AccessLog.Format.json, 1, sink, 1024, new SimpleMeterRegistry());
        f = new Fixture(registry, new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                ProxyOptions.DEFAULT_SERVER_HEADER, edge), OutlierOptions.DEFAULTS, new Observability(log, null));
        f.endpoints("svc", f.backend("svc"));
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() {
        if (f != null) f.close();
        if (log != null) log.close();
    }

    private void awaitScrape(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!registry.scrape().contains(expected) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(registry.scrape()).contains(expected);
    }

    @Test
    void aRefusedHeadIsCountedAndLoggedUnderNoRoute() throws Exception {
        start(EdgePolicy.defaults());
        RawHttp.Answer twoHosts = RawHttp.exchange(f.port,
                "POST /x HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 3000);
        assertThat(twoHosts.status()).isEqualTo(400);
        awaitScrape("pier_requests_total{code=\"400\",method=\"POST\"," + NO_ROUTE + "} 1.0");
        assertThat(registry.scrape()).contains("pier_request_duration_seconds_count{" + NO_ROUTE + ",status_class=\"4xx\"} 1");
        JsonNode line = JSON.readTree(sink.await(1).get(0));
        assertThat(line.get("status").asInt()).isEqualTo(400);
        assertThat(line.get("method").asText()).isEqualTo("POST");
        assertThat(line.get("route").isNull()).isTrue();
        assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void aHeadThatNeverCompletesIsCountedAs408WithoutAMethod() throws Exception {
        start(EdgePolicy.defaults().withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(180), Duration.ofSeconds(300)));
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            silent.setSoTimeout(10_000);
            assertThat(RawHttp.read(silent.getInputStream()).status()).isEqualTo(408);
        }
        try (Socket half = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            half.setSoTimeout(10_000);
            half.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(RawHttp.read(half.getInputStream()).status()).isEqualTo(408);
        }
        awaitScrape("pier_requests_total{code=\"408\",method=\"OTHER\"," + NO_ROUTE + "} 2.0");
        assertThat(sink.lines()).as("no request to log").isEmpty();
    }

    @Test
    void aStalledBodyIs408UnderItsRouteNotAClientGone() throws Exception {
        start(EdgePolicy.defaults().withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMillis(500),
                Duration.ofSeconds(180), Duration.ofSeconds(300)));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("POST /up HTTP/1.1\r\nHost: a.test\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(408);
        }
        // The body is read before a backend is chosen, so no Service was: service "none" of route r.
        awaitScrape("pier_requests_total{code=\"408\",method=\"POST\",namespace=\"test\",route=\"r\",service=\"none\"} 1.0");
        assertThat(registry.scrape()).doesNotContain("code=\"499\"");
        JsonNode line = JSON.readTree(sink.await(1).get(0));
        assertThat(line.get("status").asInt()).isEqualTo(408);
        assertThat(line.get("route").asText()).isEqualTo("r");
    }

    @Test
    void theAccessLogsClientIsTheTrustedProxyDecision() throws Exception {
        start(EdgePolicy.defaults().withForwarding(List.of(Cidr.parse("127.0.0.0/8")), false));
        MultiMap forwarded = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.7, 10.0.0.9");
        var reply = f.send(HttpMethod.GET, "a.test", "/", forwarded, null);
        assertThat(reply.upstreamHeader("x-real-ip")).isEqualTo("10.0.0.9"); // 10.0.0.9 is not trusted: the client
        JsonNode line = JSON.readTree(sink.await(1).get(0));
        assertThat(line.get("client").asText()).isEqualTo("10.0.0.9");
    }

    @Test
    void anUntrustedPeersForwardedForIsNotTheAccessLogsClient() throws Exception {
        start(EdgePolicy.defaults());
        MultiMap forwarded = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.7");
        assertThat(f.send(HttpMethod.GET, "a.test", "/", forwarded, null).upstreamHeader("x-real-ip")).isEqualTo("127.0.0.1");
        JsonNode line = JSON.readTree(sink.await(1).get(0));
        assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void connectionsAtTheLimitAreGaugedAndRefusalsCounted() throws Exception {
        start(EdgePolicy.defaults().withLimits(4, 128, 100, 32 * 1024, 8 * 1024, 0, 64 * 1024));
        List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) held.add(new Socket(InetAddress.getLoopbackAddress(), f.port));
            awaitScrape("pier_active_connections 4.0");
            try (Socket extra = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
                extra.setSoTimeout(5000);
                assertThat(RawHttp.read(extra.getInputStream()).closed()).isTrue();
            }
            awaitScrape("pier_connections_refused_total 1.0");
        } finally {
            for (Socket s : held) s.close();
        }
        awaitScrape("pier_active_connections 0.0");
    }
}
