package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Access-log lines through a real data plane, field by field, and the log never holding up a request. */
class AccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A thread-safe sink the writer thread appends to. */
    static final class Sink extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized List<String> lines() {
            String text = bytes.toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }

        List<String> await(int n) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lines().size() < n) {
                if (System.nanoTime() > deadline) throw new AssertionError("expected " + n + " lines, got " + lines());
                Thread.onSpinWait();
            }
            return lines();
        }
    }

    @Test
    void jsonLineHasEveryField() throws Exception {
        Sink sink = new Sink();
        try (AccessLog log = new AccessLog(AccessLog.Format.json, 1, sink, 1024, new SimpleMeterRegistry());
             Fixture f = new Fixture(new SimpleMeterRegistry(), new Observability(log, null))) {
            Endpoint backend = f.backend("a");
            f.endpoints("svc", backend);
            f.plane.apply(table(host("shop.test", route("gatewayroute/test/shop/rule/0/match/0", PathMatch.prefix("/cart"), "svc"))));
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("user-agent", "tester/1.0 \"quoted\"")
                    .add("x-request-id", "req-42");
            var reply = f.send(HttpMethod.POST, "shop.test", "/cart/1?secret=x", headers, "hello");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.upstreamHeader("x-request-id")).isEqualTo("req-42"); // the client's id passes on
            assertThat(f.get("nowhere.test", "/x").status()).isEqualTo(404);

            List<String> lines = sink.await(2);
            JsonNode line = JSON.readTree(lines.get(0));
            assertThat(line.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(line.get("method").asText()).isEqualTo("POST");
            assertThat(line.get("host").asText()).isEqualTo("shop.test");
            assertThat(line.get("path").asText()).isEqualTo("/cart/1"); // the query is not logged
            assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
            assertThat(line.get("status").asInt()).isEqualTo(200);
            assertThat(line.get("bytes_in").asLong()).isEqualTo(5);
            assertThat(line.get("bytes_out").asLong()).isEqualTo(reply.body().getBytes(StandardCharsets.UTF_8).length);
            assertThat(line.get("duration").asDouble()).isPositive();
            assertThat(line.get("upstream_duration").asDouble()).isPositive().isLessThanOrEqualTo(line.get("duration").asDouble());
            assertThat(line.get("upstream").asText()).isEqualTo("127.0.0.1:" + backend.port());
            assertThat(line.get("route").asText()).isEqualTo("gatewayroute/test/shop/rule/0/match/0");
            assertThat(line.get("service").asText()).isEqualTo("svc:80");
            assertThat(line.get("retries").asInt()).isZero();
            assertThat(line.get("request_id").asText()).isEqualTo("req-42");
            assertThat(line.get("trace_id").isNull()).isTrue(); // tracing is off
            assertThat(line.get("user_agent").asText()).isEqualTo("tester/1.0 \"quoted\"");

            JsonNode unrouted = JSON.readTree(lines.get(1));
            assertThat(unrouted.get("status").asInt()).isEqualTo(404);
            assertThat(unrouted.get("route").isNull()).isTrue();
            assertThat(unrouted.get("upstream").isNull()).isTrue();
            assertThat(unrouted.get("upstream_duration").isNull()).isTrue();
            assertThat(unrouted.get("request_id").asText()).matches("[0-9a-f]{32}"); // made up: the client sent none
        }
    }

    @Test
    void textLineHasFixedPositionsAndEscapesWhatCouldSplitIt() throws Exception {
        Sink sink = new Sink();
        try (AccessLog log = new AccessLog(AccessLog.Format.text, 1, sink, 1024, new SimpleMeterRegistry());
             Fixture f = new Fixture(new SimpleMeterRegistry(), new Observability(log, null))) {
            Endpoint backend = f.backend("a");
            f.endpoints("svc", backend);
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("user-agent", "a \"b\" \\c");
            assertThat(f.send(HttpMethod.GET, "shop.test", "/p?q=1", headers, null).status()).isEqualTo(200);

            String line = sink.await(1).get(0);
            String[] quoted = line.split("\"");
            // time client "GET shop.test /p HTTP/1.1" status in out duration upstream_duration upstream route service retries id trace "agent"
            assertThat(quoted[0]).matches("\\S+Z 127\\.0\\.0\\.1 ");
            assertThat(quoted[1]).isEqualTo("GET shop.test /p HTTP/1.1");
            String[] fields = quoted[2].trim().split(" ");
            assertThat(fields).hasSize(11);
            assertThat(fields[0]).isEqualTo("200");
            assertThat(fields[1]).isEqualTo("0");
            assertThat(Long.parseLong(fields[2])).isPositive();
            assertThat(Double.parseDouble(fields[3])).isPositive();
            assertThat(Double.parseDouble(fields[4])).isPositive();
            assertThat(fields[5]).isEqualTo("127.0.0.1:" + backend.port());
            assertThat(fields[6]).isEqualTo("r");
            assertThat(fields[7]).isEqualTo("svc:80");
            assertThat(fields[8]).isEqualTo("0");
            assertThat(fields[9]).matches("[0-9a-f]{32}");
            assertThat(fields[10]).isEqualTo("-"); // no trace
            assertThat(line).endsWith("\"a \\x22b\\x22 \\x5cc\"");
        }
    }

    @Test
    void aStuckOutputDropsAndCountsLinesWhileRequestsGoOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await(); // a full pipe: the writer thread hangs here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AccessLog log = new AccessLog(AccessLog.Format.json, 1, stuck, 16, registry);
             Fixture f = new Fixture(new SimpleMeterRegistry(), new Observability(log, null))) {
            f.endpoints("svc", f.backend("a"));
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
            int requests = 2_000;
            List<Future<Integer>> sent = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                sent.add(f.onLoop(() -> f.client.request(HttpMethod.GET, "/").compose(req -> req.send())
                        .compose(resp -> resp.body().map(b -> resp.statusCode()))));
            }
            for (Future<Integer> s : sent) assertThat(Fixture.await(s)).isEqualTo(200);
            // Every request was answered although the writer is stuck: at most one batch taken by the
            // writer and one full queue (16 each) are kept, every other line was dropped and counted.
            long kept = 2 * 16;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.dropped() < requests - kept && System.nanoTime() < deadline) Thread.onSpinWait();
            assertThat(log.dropped()).isBetween(requests - kept, (long) requests);
            assertThat(registry.get("pier.access.log.dropped").functionCounter().count()).isEqualTo((double) log.dropped());
        } finally {
            release.countDown();
        }
    }
}
