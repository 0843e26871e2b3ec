package dev.pier.proxy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import java.util.function.Supplier;

/**
 * One server instance on one event loop, with its own upstream client so that a request, its
 * backend connection and its callbacks stay on one thread. Instances share the listening port.
 */
final class ProxyServer extends VerticleBase {
    private final Supplier<CompiledTable> table;
    private final EndpointIndex endpoints;
    private final ProxyOptions options;
    private final SocketAddress bindAddress;
    private final RouteMetrics noRoute;
    private HttpClientAgent client;
    private HttpServer server;

    ProxyServer(Supplier<CompiledTable> table, EndpointIndex endpoints, ProxyOptions options, SocketAddress bindAddress,
                RouteMetrics noRoute) {
        this.table = table;
        this.endpoints = endpoints;
        this.options = options;
        this.bindAddress = bindAddress;
        this.noRoute = noRoute;
    }

    @Override
    public Future<?> start() {
        int loops = options.eventLoops();
        // ProxyOptions counts connections per endpoint over the whole process; each loop has its own pool.
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(Math.max(1, ceilDiv(options.maxConnectionsPerEndpoint(), loops)))
                .setMaxWaitQueueSize(Math.max(0, ceilDiv(options.maxWaitQueue(), loops)));
        HttpClientOptions clientOptions = new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
                .setDecompressionSupported(false)
                .setMaxHeaderSize(32 * 1024)
                .setName("pier-upstream");
        client = vertx.httpClientBuilder().with(clientOptions).with(pool).build();
        HttpServerOptions serverOptions = new HttpServerOptions()
                .setHandle100ContinueAutomatically(true)
                .setHttp2ClearTextEnabled(true)
                .setTcpNoDelay(true)
                .setMaxHeaderSize(32 * 1024)
                .setDecompressionSupported(false)
                .setCompressionSupported(false);
        server = vertx.createHttpServer(serverOptions).requestHandler(this::handle);
        return server.listen(bindAddress);
    }

    int actualPort() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        CompiledTable current = table.get(); // read once; this request keeps it to the end
        CompiledRoute route = current.select(request);
        if (route == null) {
            request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("no route\n");
            noRoute.record(404, start);
            return;
        }
        request.pause(); // the body waits until a backend connection is ready
        new Exchange(this, request, route, start).run();
    }

    Vertx vertx() {
        return vertx;
    }

    HttpClientAgent client() {
        return client;
    }

    EndpointIndex endpoints() {
        return endpoints;
    }

    long connectTimeoutMs() {
        return options.connectTimeout().toMillis();
    }

    long backendTimeoutMs() {
        return options.backendTimeout().toMillis();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
