package dev.pier.e2e;

import dev.pier.PierServer;
import dev.pier.translate.TranslateOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Pier as a user runs it: YAML files in a directory, {@link PierServer#startWithFiles}, real HTTP
 * to its port on 127.0.0.1 and real Vert.x backends on 127.0.0.1 that answer with what they saw.
 * One per test class; {@link #apply} rewrites the file set and waits until that version is live.
 */
final class E2e implements AutoCloseable {
    static final String NS = "e2e";
    /** A host only the generation marker route serves, so the marker never shadows a test's routes. */
    private static final String GENERATION_HOST = "generation.e2e.test";

    private final Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(64));
    private final List<Backend> backends = new ArrayList<>();
    private final PierServer pier;
    private int generation;

    E2e() throws Exception {
        dir = Files.createTempDirectory("pier-e2e");
        write(marker(0));
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 2, 50));
    }

    // ---- backends -----------------------------------------------------------------------------

    /**
     * A backend answering 200 with JSON of what it received ({@code backend, method, path, query,
     * uri, headers} with header names lower-cased and every value kept, {@code body}), and the
     * response headers {@code x-backend: <name>}, {@code x-from-backend: yes}, {@code x-drop: yes}.
     */
    static final class Backend {
        String name;
        private HttpServer server;
        private final Vertx vertx;
        /** Requests received, counted when they arrive (before any delay or hold). */
        final AtomicInteger hits = new AtomicInteger();
        final List<JsonObject> seen = new CopyOnWriteArrayList<>();
        volatile long delayMillis;
        private final AtomicInteger failuresLeft = new AtomicInteger();
        private volatile int failStatus = 503;
        private volatile boolean hold;
        private final List<Runnable> held = new CopyOnWriteArrayList<>();

        private Backend(Vertx vertx) {
            this.vertx = vertx;
        }

        int port() {
            return server.actualPort();
        }

        /** The next {@code times} requests are answered {@code status}, then 200 again. */
        void failNext(int times, int status) {
            failStatus = status;
            failuresLeft.set(times);
        }

        /** While on, requests are parked unanswered until {@link #releaseHeld}. */
        void hold(boolean on) {
            hold = on;
        }

        int heldCount() {
            return held.size();
        }

        void releaseHeld() {
            hold = false;
            List<Runnable> answers = List.copyOf(held);
            held.clear();
            answers.forEach(Runnable::run);
        }

        void reset() {
            hits.set(0);
            seen.clear();
            delayMillis = 0;
            failuresLeft.set(0);
        }

        private void handle(HttpServerRequest req) {
            hits.incrementAndGet();
            Context ctx = Vertx.currentContext();
            req.body().onSuccess(body -> {
                JsonObject headers = new JsonObject();
                req.headers().forEach(e -> {
                    String key = e.getKey().toLowerCase();
                    JsonArray values = headers.getJsonArray(key);
                    if (values == null) headers.put(key, values = new JsonArray());
                    values.add(e.getValue());
                });
                JsonObject json = new JsonObject().put("backend", name).put("method", req.method().name())
                        .put("path", req.path()).put("query", req.query()).put("uri", req.uri())
                        .put("headers", headers).put("body", body.toString());
                seen.add(json);
                int status = failuresLeft.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0 ? failStatus : 200;
                Runnable answer = () -> req.response().setStatusCode(status).putHeader("content-type", "application/json")
                        .putHeader("x-backend", name).putHeader("x-from-backend", "yes").putHeader("x-drop", "yes")
                        .end(json.encode());
                if (hold) held.add(() -> ctx.runOnContext(v -> answer.run()));
                else if (delayMillis > 0) vertx.setTimer(delayMillis, id -> answer.run());
                else answer.run();
            });
        }
    }

    /**
     * Starts one backend per name. They are named in the order of their ports, so that the first
     * name has the lowest port: Pier orders a Service's endpoints by address, then port, and the
     * round-robin tests expect that order.
     */
    List<Backend> backends(String... names) {
        List<Backend> started = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            Backend b = new Backend(vertx);
            b.server = vertx.createHttpServer().requestHandler(b::handle);
            await(b.server.listen(0, "127.0.0.1"));
            started.add(b);
        }
        started.sort(Comparator.comparingInt(Backend::port));
        for (int i = 0; i < names.length; i++) started.get(i).name = names[i]; // before any request
        backends.addAll(started);
        return started;
    }

    Backend backend(String name) {
        return backends(name).get(0);
    }

    // ---- YAML ---------------------------------------------------------------------------------

    /** A Service {@code e2e/<name>} (port 80, named http) and one EndpointSlice per endpoint. */
    static ServiceYaml service(String name, Backend... endpoints) {
        ServiceYaml s = new ServiceYaml(name);
        Arrays.stream(endpoints).forEach(s::endpoint);
        return s;
    }

    static final class ServiceYaml {
        private final String name;
        private final StringBuilder labels = new StringBuilder();
        private final StringBuilder slices = new StringBuilder();
        private int sliceCount;

        private ServiceYaml(String name) {
            this.name = name;
        }

        ServiceYaml label(String key, String value) {
            labels.append(labels.isEmpty() ? "" : ", ").append(key).append(": \"").append(value).append('"');
            return this;
        }

        ServiceYaml endpoint(Backend b) {
            return slice(b, null, true);
        }

        /** An endpoint whose slice carries the {@code pier.dev/weight} annotation. */
        ServiceYaml endpoint(Backend b, int weight) {
            return slice(b, weight, true);
        }

        ServiceYaml notReadyEndpoint(Backend b) {
            return slice(b, null, false);
        }

        private ServiceYaml slice(Backend b, Integer weight, boolean ready) {
            String annotations = weight == null ? "" : ", annotations: {pier.dev/weight: \"" + weight + "\"}";
            slices.append("""
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: %s-%d, namespace: %s, labels: {kubernetes.io/service-name: %s}%s}
                    addressType: IPv4
                    ports: [{name: http, port: %d}]
                    endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: %s}}]
                    """.formatted(name, sliceCount++, NS, name, annotations, b.port(), ready));
            return this;
        }

        @Override
        public String toString() {
            return """
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: %s, namespace: %s, labels: {%s}}
                    spec:
                      ports: [{name: http, port: 80}]
                    """.formatted(name, NS, labels) + slices;
        }
    }

    /** A GatewayRoute {@code e2e/<name>} of class pier; {@code spec} is the spec's body at column 0. */
    static String route(String name, String spec) {
        return """
                ---
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: %s, namespace: %s}
                spec:
                  ingressClassName: pier
                """.formatted(name, NS) + spec.indent(2);
    }

    private static String marker(int generation) {
        return route("zz-generation", """
                hostnames: [%s]
                rules:
                - filters:
                  - type: DirectResponse
                    directResponse: {status: 200, body: "generation %d"}
                """.formatted(GENERATION_HOST, generation));
    }

    /**
     * Replaces the whole file set with {@code yaml} (plus the generation marker) and waits until
     * this version is live: the files apply all together, so once the marker answers with the new
     * generation, so do the test's routes.
     */
    void apply(String yaml) throws Exception {
        generation++;
        write(marker(generation) + yaml);
        String expected = "generation " + generation;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Reply last;
        do {
            last = get(GENERATION_HOST, "/");
            if (last.body().equals(expected)) return;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("files not live after 15s (marker says \"" + last.body() + "\"); /routes: "
                + admin("/routes").body());
    }

    private void write(String content) throws IOException {
        // Written aside and moved in, so the watcher never reads half a file (dot files are skipped).
        Path tmp = dir.resolve(".routes.yaml.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, dir.resolve("routes.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- client -------------------------------------------------------------------------------

    /** A response as the client got it; {@link #json()} is what the backend saw. */
    record Reply(int status, MultiMap headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        /** The backend that answered, or null for an answer of Pier's own. */
        String backend() {
            return headers.get("x-backend");
        }

        /** Every value of request header {@code name} as the backend received it (empty if none). */
        List<String> upstream(String name) {
            JsonArray values = json().getJsonObject("headers").getJsonArray(name.toLowerCase());
            return values == null ? List.of() : values.stream().map(Object::toString).toList();
        }
    }

    static MultiMap headers(String... namesAndValues) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < namesAndValues.length; i += 2) m.add(namesAndValues[i], namesAndValues[i + 1]);
        return m;
    }

    Reply get(String host, String uri) {
        return send(HttpMethod.GET, host, uri, headers(), null);
    }

    Reply get(String host, String uri, MultiMap headers) {
        return send(HttpMethod.GET, host, uri, headers, null);
    }

    Reply send(HttpMethod method, String host, String uri, MultiMap headers, String body) {
        return await(sendAsync(pier.httpPort(), method, host, uri, headers, body));
    }

    Future<Reply> sendAsync(HttpMethod method, String host, String uri, MultiMap headers, String body) {
        return sendAsync(pier.httpPort(), method, host, uri, headers, body);
    }

    /** The port Pier serves traffic on, for clients of other kinds (gRPC). */
    int httpPort() {
        return pier.httpPort();
    }

    Reply admin(String uri) {
        return await(sendAsync(pier.adminPort(), HttpMethod.GET, "127.0.0.1", uri, headers(), null));
    }

    private Future<Reply> sendAsync(int port, HttpMethod method, String host, String uri, MultiMap headers, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
                .setURI(uri).setHeaders(headers).setTimeout(30_000);
        // Composed on an event loop: from the test thread a fast response could arrive before
        // resp.body() is registered, and its bytes would be lost.
        Promise<Reply> reply = Promise.promise();
        context.runOnContext(v -> client.request(options).compose(req -> {
            req.authority(HostAndPort.parseAuthority(host, -1));
            return body == null ? req.send() : req.send(body);
        }).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString())))
                .onComplete(reply));
        return reply.future();
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future failed: " + e, e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            pier.close();
            backends.forEach(Backend::releaseHeld);
            client.close();
            vertx.close().await(10, TimeUnit.SECONDS);
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }
}
