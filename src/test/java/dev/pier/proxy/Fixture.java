package dev.pier.proxy;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.model.VirtualHost;
import dev.pier.model.WeightedBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/** A real data plane on 127.0.0.1, real backends, a real client: what every proxy test starts from. */
final class Fixture implements AutoCloseable {
    static final ObjectRef SOURCE = new ObjectRef("Ingress", "test", "fixture");

    /**
     * The transport every fixture runs on: NIO, unless {@code -Dpier.test.transport} names another
     * (the pom's io_uring run of the data plane tests). One that cannot load here skips the test,
     * saying why, or fails it under {@code PIER_REQUIRE_IO_URING=true}.
     */
    static final IoTransport TRANSPORT = IoTransport.parse(System.getProperty("pier.test.transport", "nio"));

    final Vertx vertx = EdgeTransport.vertx(new VertxOptions().setEventLoopPoolSize(4), usableTransport());
    final MeterRegistry metrics;
    final DataPlane plane;
    final int port;
    final HttpClient client;
    final io.vertx.core.Context context;
    private final List<HttpServer> backends = new ArrayList<>();

    Fixture() {
        this(new SimpleMeterRegistry(), Duration.ofSeconds(30));
    }

    private static IoTransport usableTransport() {
        try {
            TRANSPORT.resolve();
        } catch (IllegalStateException e) {
            if ("true".equals(System.getenv("PIER_REQUIRE_IO_URING"))) throw e;
            System.err.println("Skipped on " + TRANSPORT.flagValue() + ": " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
        return TRANSPORT;
    }

    Fixture(MeterRegistry metrics, Duration backendTimeout) {
        this(metrics, options(backendTimeout));
    }

    static ProxyOptions options(Duration backendTimeout) {
        return new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), backendTimeout, 2,
                ProxyOptions.DEFAULT_SERVER_HEADER);
    }

    Fixture(MeterRegistry metrics, ProxyOptions options) {
        this(metrics, options, OutlierOptions.DEFAULTS);
    }

    Fixture(MeterRegistry metrics, ProxyOptions options, OutlierOptions outlier) {
        this(metrics, options, outlier, Observability.NONE);
    }

    /** With an access log or tracing. */
    Fixture(MeterRegistry metrics, Observability observability) {
        this(metrics, new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                ProxyOptions.DEFAULT_SERVER_HEADER), OutlierOptions.DEFAULTS, observability);
    }

    Fixture(MeterRegistry metrics, ProxyOptions options, OutlierOptions outlier, Observability observability) {
        this.metrics = metrics;
        this.plane = new DataPlane(vertx, options, outlier, metrics, observability);
        this.port = await(plane.start());
        this.context = vertx.getOrCreateContext();
        this.client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(64));
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future failed: " + e, e);
        }
    }

    /**
     * A backend that answers with JSON describing the request (name, method, uri, headers) and
     * header {@code x-backend}. Query {@code status=N} sets the status, {@code delay=ms} delays the
     * answer; {@code /echo} streams the request body back.
     */
    Endpoint backend(String name) {
        return backend(name, req -> defaultAnswer(name, req));
    }

    Endpoint backend(String name, Consumer<HttpServerRequest> handler) {
        return backend(name, new io.vertx.core.http.HttpServerOptions(), handler);
    }

    /** A backend with its own server options (e.g. limits larger than Vert.x's defaults). */
    Endpoint backend(String name, io.vertx.core.http.HttpServerOptions options, Consumer<HttpServerRequest> handler) {
        HttpServer server = vertx.createHttpServer(options).requestHandler(handler::accept);
        server.webSocketHandler(ws -> ws.handler(buf -> ws.write(Buffer.buffer(name + ":").appendBuffer(buf))));
        await(server.listen(0, "127.0.0.1"));
        backends.add(server);
        return Endpoint.of("127.0.0.1", server.actualPort());
    }

    private void defaultAnswer(String name, HttpServerRequest req) {
        var response = req.response().putHeader("x-backend", name);
        if (req.path().equals("/echo")) {
            response.setChunked(true);
            req.pipeTo(response);
            return;
        }
        int status = req.getParam("status") == null ? 200 : Integer.parseInt(req.getParam("status"));
        long delay = req.getParam("delay") == null ? 0 : Long.parseLong(req.getParam("delay"));
        req.body().onSuccess(body -> {
            JsonObject headers = new JsonObject();
            req.headers().forEach(e -> {
                String key = e.getKey().toLowerCase();
                String before = headers.getString(key);
                headers.put(key, before == null ? e.getValue() : before + "," + e.getValue());
            });
            JsonObject json = new JsonObject().put("backend", name).put("method", req.method().name())
                    .put("uri", req.uri()).put("path", req.path()).put("headers", headers)
                    .put("body", body.toString()).put("version", req.version().name());
            Runnable answer = () -> response.setStatusCode(status).putHeader("content-type", "application/json")
                    .end(json.encode());
            if (delay > 0) vertx.setTimer(delay, id -> answer.run());
            else answer.run();
        });
    }

    /** A loopback port nothing listens on (bound, then closed): connecting to it is refused. */
    static Endpoint closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return Endpoint.of("127.0.0.1", s.getLocalPort());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Builds and runs a future chain on an event loop, so no callback is registered after its event. */
    <T> Future<T> onLoop(java.util.function.Supplier<Future<T>> chain) {
        io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
        context.runOnContext(v -> chain.get().onComplete(promise));
        return promise.future();
    }

    /** A response as the tests see it. */
    record Reply(int status, MultiMap headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String backend() {
            return headers.get("x-backend");
        }

        String upstreamHeader(String name) {
            return json().getJsonObject("headers").getString(name.toLowerCase());
        }
    }

    Reply get(String host, String uri) {
        return send(HttpMethod.GET, host, uri, MultiMap.caseInsensitiveMultiMap(), null);
    }

    Reply send(HttpMethod method, String host, String uri, MultiMap headers, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setHeaders(headers);
        // The chain runs on an event loop: composed on the test thread, a fast response could
        // arrive before resp.body() is registered and its bytes would be dropped.
        io.vertx.core.Promise<Reply> reply = io.vertx.core.Promise.promise();
        context.runOnContext(v -> client.request(options).compose(req -> {
            if (host != null) req.authority(io.vertx.core.net.HostAndPort.parseAuthority(host, -1));
            return body == null ? req.send() : req.send(body);
        }).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString())))
                .onComplete(reply));
        return await(reply.future());
    }

    // ---- table builders ------------------------------------------------------------------

    static ServiceKey svc(String name) {
        return new ServiceKey("test", name, 80);
    }

    static WeightedBackend to(String service) {
        return new WeightedBackend(svc(service), 1, BalancerPolicy.ROUND_ROBIN);
    }

    static Route route(String id, PathMatch path, String service) {
        return Route.forward(id, SOURCE, RouteMatch.path(path), List.of(to(service)));
    }

    static RoutingTable table(VirtualHost... hosts) {
        return new RoutingTable(List.of(hosts), null);
    }

    static VirtualHost host(String name, Route... routes) {
        return new VirtualHost(name, List.of(routes));
    }

    void endpoints(String service, Endpoint... endpoints) {
        plane.updateEndpoints(Map.of(svc(service), List.of(endpoints)));
    }

    @Override
    public void close() {
        client.close();
        await(plane.close());
        for (HttpServer s : backends) s.close();
        await(vertx.close());
    }
}
