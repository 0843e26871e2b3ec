package dev.pier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.translate.TranslateOptions;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing as a user turns it on: Pier in file mode with --tracing, the real OTLP/HTTP exporter
 * sending protobuf to an in-process receiver, a real backend that records what it was sent.
 */
class TracingTest {
    @TempDir Path dir;
    Vertx vertx;
    HttpServer backend;
    HttpServer receiver;
    HttpClient client;
    PierServer pier;
    final BlockingQueue<MultiMap> backendSaw = new LinkedBlockingQueue<>();
    final BlockingQueue<Span> exported = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        backend = vertx.createHttpServer().requestHandler(r -> {
            backendSaw.add(MultiMap.caseInsensitiveMultiMap().addAll(r.headers()));
            r.response().end("ok");
        }).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
        // An OTLP/HTTP receiver: POST /v1/traces, body an ExportTraceServiceRequest in protobuf.
        receiver = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(body -> {
            try {
                ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
                export.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                        .forEach(ss -> exported.addAll(ss.getSpansList())));
                r.response().putHeader("content-type", "application/x-protobuf").end();
            } catch (Exception e) {
                r.response().setStatusCode(400).end();
            }
        })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
        client = vertx.createHttpClient();
        Files.writeString(dir.resolve("shop.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{name: http, port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints: [{addresses: [127.0.0.1]}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: shop}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: shop.example.com
                    http: {paths: [{path: /cart, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
                """.formatted(backend.actualPort()));
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0, TranslateOptions.DEFAULTS, 2, 50)
                .withTracing(new PierServer.TracingSettings(true, Map.of(
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + receiver.actualPort(),
                        "otel.bsp.schedule.delay", "50"))));
    }

    @AfterEach
    void stop() throws Exception {
        if (pier != null) pier.close();
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    private int get(String path, MultiMap headers) throws Exception {
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(pier.httpPort())
                        .setURI(path).setHeaders(headers).putHeader("host", "shop.example.com"))
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
                .await(10, TimeUnit.SECONDS);
    }

    @Test
    void theClientsTraceContinuesThroughPierToTheBackendAndPiersSpanIsExported() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        assertThat(get("/cart/1", MultiMap.caseInsensitiveMultiMap()
                .add("traceparent", "00-" + traceId + "-" + clientSpan + "-01"))).isEqualTo(200);

        MultiMap sent = backendSaw.poll(10, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        String[] traceparent = sent.get("traceparent").split("-");
        assertThat(traceparent[1]).as("same trace").isEqualTo(traceId);
        assertThat(traceparent[2]).as("Pier's own span is the backend's parent").isNotEqualTo(clientSpan).matches("[0-9a-f]{16}");
        assertThat(sent.get("x-request-id")).matches("[0-9a-f]{32}");

        Span span = exported.poll(10, TimeUnit.SECONDS);
        assertThat(span).as("a span reached the OTLP receiver").isNotNull();
        assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray())).isEqualTo(traceId);
        assertThat(HexFormat.of().formatHex(span.getSpanId().toByteArray())).isEqualTo(traceparent[2]);
        assertThat(HexFormat.of().formatHex(span.getParentSpanId().toByteArray())).isEqualTo(clientSpan);
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.getName()).isEqualTo("GET ingress/shop/web/rule/0/path/0");
        assertThat(attribute(span, "http.request.method")).isEqualTo("GET");
        assertThat(attribute(span, "url.path")).isEqualTo("/cart/1");
        assertThat(attribute(span, "http.response.status_code")).isEqualTo("200");
        assertThat(attribute(span, "pier.route")).isEqualTo("ingress/shop/web/rule/0/path/0");
        assertThat(attribute(span, "pier.upstream.service")).isEqualTo("web:80");
        assertThat(attribute(span, "pier.upstream.address")).isEqualTo("127.0.0.1:" + backend.actualPort());
        assertThat(attribute(span, "pier.request_id")).isEqualTo(sent.get("x-request-id"));
    }

    @Test
    void withoutATraceFromTheClientPierStartsOne() throws Exception {
        assertThat(get("/cart", MultiMap.caseInsensitiveMultiMap().add("x-request-id", "mine"))).isEqualTo(200);
        MultiMap sent = backendSaw.poll(10, TimeUnit.SECONDS);
        assertThat(sent.get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]"); // sampled (and the trace id random, W3C level 2)
        assertThat(sent.get("x-request-id")).isEqualTo("mine");
        Span span = exported.poll(10, TimeUnit.SECONDS);
        assertThat(span).isNotNull();
        assertThat(span.getParentSpanId().isEmpty()).isTrue();
        assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray())).isEqualTo(sent.get("traceparent").split("-")[1]);
    }

    private static String attribute(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                var v = kv.getValue();
                return v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue();
            }
        }
        return null;
    }
}
