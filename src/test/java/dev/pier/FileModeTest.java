package dev.pier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.translate.TranslateOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pier as a user runs it in file mode: real files, a real backend on loopback, requests through
 * the proxy port, and the admin port's view. Changes to the files go live by themselves; a
 * broken file keeps the last good table and shows in /routes.
 */
class FileModeTest {
    @TempDir Path dir;
    Vertx vertx;
    HttpServer backend;
    HttpClient client;
    PierServer pier;

    record Reply(int status, String body) {}

    @BeforeEach
    void startBackend() throws Exception {
        vertx = Vertx.vertx();
        backend = vertx.createHttpServer()
                .requestHandler(r -> r.response().end("backend saw " + r.path() + " host=" + r.getHeader("host")))
                .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
        client = vertx.createHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        if (pier != null) pier.close();
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    private String objects(String path) {
        return """
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
                    http: {paths: [{path: %s, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
                """.formatted(backend.actualPort(), path);
    }

    private Reply get(int port, String host, String path) throws Exception {
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                        .setURI(path).putHeader("host", host))
                // body() registered in send()'s callback, on the connection's loop, so no byte arrives before it.
                .compose(req -> req.send().compose((HttpClientResponse resp) -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))))
                .await(10, TimeUnit.SECONDS);
    }

    /** Polls until the condition holds; the file watcher applies changes within its poll interval. */
    private Reply await(int port, String host, String path, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Reply last;
        do {
            last = get(port, host, path);
            if (last.status() == status) return last;
            Thread.sleep(25);
        } while (System.nanoTime() < deadline);
        return last;
    }

    @Test
    void servesFromFilesFollowsChangesAndKeepsTheLastGoodTableOnABrokenFile() throws Exception {
        Path file = dir.resolve("shop.yaml");
        Files.writeString(file, objects("/cart"));
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 2, 50));
        int http = pier.httpPort();
        int admin = pier.adminPort();

        assertThat(get(admin, "x", "/readyz").status()).isEqualTo(200);
        Reply ok = get(http, "SHOP.example.com:8080", "/cart/items");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("backend saw /cart/items host=SHOP.example.com:8080");
        assertThat(get(http, "shop.example.com", "/cartography").status()).as("prefix matches whole path elements").isEqualTo(404);
        assertThat(get(http, "other.example.com", "/cart").status()).isEqualTo(404);
        assertThat(get(admin, "x", "/metrics").body()).contains("pier_config_last_apply_success 1.0")
                .doesNotContain("pier_config_apply_failures_total");

        // A change goes live by itself.
        Files.writeString(file, objects("/checkout"));
        assertThat(await(http, "shop.example.com", "/checkout", 200).status()).isEqualTo(200);
        assertThat(get(http, "shop.example.com", "/cart").status()).isEqualTo(404);

        // A broken file: the last good table keeps serving, /routes names the file and line.
        String good = objects("/checkout");
        Files.writeString(file, good + "---\napiVersion: v1\nkind: Service\nmetadata: {name: [x\n");
        long brokenLine = good.lines().count() + 4;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String routes;
        do {
            routes = get(admin, "x", "/routes").body();
            Thread.sleep(25);
        } while (!routes.contains("shop.yaml:") && System.nanoTime() < deadline);
        // SnakeYAML reports an unclosed flow sequence where the input ends: the broken line or the next.
        assertThat(routes).containsAnyOf(file + ":" + brokenLine + ":", file + ":" + (brokenLine + 1) + ":")
                .contains("\"ready\" : true");
        assertThat(get(http, "shop.example.com", "/checkout").status()).isEqualTo(200);
        assertThat(get(admin, "x", "/readyz").status()).isEqualTo(200);
        // ...and the last-apply gauge says the change did not go live.
        assertThat(get(admin, "x", "/metrics").body()).contains("pier_config_last_apply_success 0.0")
                .containsPattern("pier_config_apply_failures_total\\{source=\"files\"} [1-9]");

        // Fixed again: the error clears.
        Files.writeString(file, objects("/cart"));
        assertThat(await(http, "shop.example.com", "/cart", 200).status()).isEqualTo(200);
        assertThat(get(admin, "x", "/routes").body()).contains("\"errors\" : { }");

        String metrics = get(admin, "x", "/metrics").body();
        assertThat(metrics).contains("pier_requests_total{").contains("route=\"ingress/shop/web/rule/0/path/0\"")
                .contains("pier_table_swaps_total")
                .contains("pier_config_last_apply_success 1.0")
                .containsPattern("pier_build_info\\{build_time=\"[^\"]+\",commit=\"[^\"]+\",java_version=\"[^\"]+\",version=\"[^\"]+\"} 1")
                .contains("jvm_memory_used_bytes{").contains("jvm_gc_").contains("process_cpu_usage")
                .contains("process_uptime_seconds");
    }

    /**
     * What start-up built is collected once, with the first table live and before the ports open,
     * so that the first collections under traffic do not copy it; the pause shows in the GC meters.
     */
    @Test
    void startUpIsCollectedOnceBeforeServing() throws Exception {
        Files.writeString(dir.resolve("shop.yaml"), objects("/cart"));
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 2, 50));
        assertThat(get(pier.httpPort(), "shop.example.com", "/cart").status()).isEqualTo(200);
        String explicit = "jvm_gc_pause_seconds_count\\{action=\"end of major GC\",cause=\"System.gc\\(\\)\",[^}]*} ";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metrics;
        do { // the JVM reports a pause to the meters from its own thread, a moment after it ended
            metrics = get(pier.adminPort(), "x", "/metrics").body();
            Thread.sleep(25);
        } while (!java.util.regex.Pattern.compile(explicit).matcher(metrics).find() && System.nanoTime() < deadline);
        assertThat(metrics).containsPattern(explicit + "1(\\.0)?\n");
    }

    /** /routes is one more view of the problems, and shows what the file reader skipped, by file and line. */
    @Test
    void routesShowEveryProblemAndWhatTheReaderSkipped() throws Exception {
        Path file = dir.resolve("shop.yaml");
        Files.writeString(file, objects("/cart") + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: typo, namespace: shop}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: typo.example.com
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}]}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web, namespace: shop}
                """);
        long httpRouteLine = objects("/cart").lines().count() + 11; // its apiVersion line
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 2, 50));

        assertThat(get(pier.httpPort(), "typo.example.com", "/").status()).as("a missing Service answers 503").isEqualTo(503);
        var routes = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(pier.adminPort(), "x", "/routes").body());
        assertThat(routes.path("warnings").path("files").get(0).asText())
                .isEqualTo(file + ":" + httpRouteLine + ": HTTPRoute web (gateway.networking.k8s.io/v1) is not a kind Pier reads; skipped");
        var typo = java.util.stream.StreamSupport.stream(routes.path("live").path("statuses").spliterator(), false)
                .filter(st -> st.path("object").path("name").asText().equals("typo")).findFirst().orElseThrow();
        var problem = typo.path("problems").get(0);
        assertThat(problem.path("field").asText()).isEqualTo("spec.rules[0].http.paths[0].backend.service.name");
        assertThat(problem.path("conditionType").asText()).isEqualTo("ResolvedRefs");
        assertThat(problem.path("reason").asText()).isEqualTo("BackendNotFound");
        assertThat(problem.path("message").asText()).isEqualTo("Service shop/gone not found; requests get 503");
        assertThat(get(pier.adminPort(), "x", "/metrics").body()).contains("pier_config_objects_with_problems{kind=\"Ingress\"} 1.0");
    }

    /** /debug/explain on the admin port answers from the live table and shows the endpoints the balancer has now. */
    @Test
    void theAdminPortExplainsALiveRequest() throws Exception {
        Files.writeString(dir.resolve("shop.yaml"), objects("/cart"));
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 2, 50));
        Reply json = get(pier.adminPort(), "x", "/debug/explain?host=shop.example.com:8080&path=/cart/1&header=x-a:1");
        assertThat(json.status()).isEqualTo(200);
        var e = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.body());
        assertThat(e.path("request").path("headers").path("x-a").asText()).isEqualTo("1");
        assertThat(e.path("host").path("virtualHost").asText()).isEqualTo("shop.example.com");
        assertThat(e.path("winner").path("route").asText()).isEqualTo("ingress/shop/web/rule/0/path/0");
        assertThat(e.path("backends").get(0).path("endpoints").get(0).asText()).isEqualTo("127.0.0.1:" + backend.actualPort());

        Reply text = get(pier.adminPort(), "x", "/debug/explain?host=other.example.com&format=text");
        assertThat(text.body()).contains("no route: answered 404");
        assertThat(get(pier.adminPort(), "x", "/debug/explain?host=a&header=bad").status()).isEqualTo(400);
        assertThat(get(pier.adminPort(), "x", "/nothing").status()).isEqualTo(404);
        assertThat(get(pier.adminPort(), "x", "/healthz").body()).isEqualTo("ok\n");
    }
}
