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
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import dev.pier.model.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One server instance on one event loop, with its own upstream client so that a request, its
 * backend connection and its callbacks stay on one thread. Instances share the listening port.
 */
final class ProxyServer extends VerticleBase {
    private final Supplier<CompiledTable> table;
    private final ProxyOptions options;
    private final SocketAddress bindAddress;
    private static final int MAX_CACHED_ADDRESSES = 4096;

    private final ExchangeRecorder recorder;
    private final ServerHeader serverHeader;
    private HttpClientAgent client;
    /** Active health checks' own small pool, so a busy traffic pool never makes a check time out. */
    private HttpClientAgent healthClient;
    private HttpServer server;
    // Per event loop, so plain fields and maps: no locking on the request path.
    private final ForwardedHeaders forwardedHeaders = new ForwardedHeaders();
    private final Map<Endpoint, SocketAddress> addresses = new HashMap<>();
    /** Exchanges begun and not finished; written only on this event loop, read by the drain. */
    private volatile int active;
    /** Set when draining: each connection closes after the request it carries, at the latest after this. */
    private volatile Duration closeAfterRequestsWithin;
    /** Tunnels the server shutdown left open; they get a close frame when the drain ends. Event loop only. */
    private final List<WebSocketTunnel> drainingTunnels = new ArrayList<>();
    private boolean tunnelsClosing;

    ProxyServer(Supplier<CompiledTable> table, ProxyOptions options, SocketAddress bindAddress, ExchangeRecorder recorder) {
        this.table = table;
        this.options = options;
        this.bindAddress = bindAddress;
        this.recorder = recorder;
        this.serverHeader = new ServerHeader(options.serverHeader());
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
        healthClient = vertx.httpClientBuilder().with(new HttpClientOptions(clientOptions).setName("pier-health-check"))
                .with(new PoolOptions().setHttp1MaxSize(2)).build();
        HttpServerOptions serverOptions = new HttpServerOptions()
                .setHandle100ContinueAutomatically(true)
                .setHttp2ClearTextEnabled(true)
                .setTcpNoDelay(true)
                .setMaxHeaderSize(32 * 1024)
                .setDecompressionSupported(false)
                .setCompressionSupported(false)
                // Every write to a downstream response happens on this instance's event loop (the
                // upstream client and timers live on it too), so writes may skip Vert.x's outbound queue.
                .setStrictThreadMode(true);
        server = vertx.createHttpServer(serverOptions).requestHandler(this::handle);
        return server.listen(bindAddress);
    }

    int actualPort() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        Duration draining = closeAfterRequestsWithin;
        if (draining != null) closeAfterThisRequest(request, draining);
        String path;
        try {
            path = PathNormalizer.normalize(request.path()); // once, before matching: see PathNormalizer
        } catch (PathNormalizer.Rejected e) {
            answerWithoutRoute(request, 400, e.getMessage(), start);
            return;
        }
        CompiledTable current = table.get(); // read once; this request keeps it to the end
        CompiledRoute route = current.select(request, path);
        if ((route == null || !route.forwardRawPath) && PathNormalizer.hasEncodedSeparator(path)) {
            answerWithoutRoute(request, 400, "the path holds an encoded / or \\ (%2F, %5C)\n", start);
            return;
        }
        if (route == null) {
            answerWithoutRoute(request, 404, "no route\n", start);
            return;
        }
        request.pause(); // the body waits until a backend connection is ready
        active++;
        new Exchange(this, request, route, path, start).run();
    }

    private void answerWithoutRoute(HttpServerRequest request, int status, String body, long start) {
        ErrorAnswer.send(request.response(), status, body, serverHeader);
        recorder.ended(null, status, start);
    }

    /**
     * While draining, a keep-alive client is told to come back on a new connection (which the
     * load balancer, once it has caught up, sends to another replica): HTTP/1 gets
     * {@code Connection: close} and the connection closes after this response; HTTP/2 gets a
     * GOAWAY now and the connection closes once its open streams are done. Websocket handshakes
     * are left alone: the tunnel gets a close frame at the end of the drain.
     */
    private static void closeAfterThisRequest(HttpServerRequest request, Duration within) {
        if (request.canUpgradeToWebSocket()) return;
        if (request.version() != HttpVersion.HTTP_2) {
            HttpServerResponse response = request.response();
            // Set just before the head is written: error answers clear the headers they were given.
            response.headersEndHandler(v -> response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE));
        }
        request.connection().shutdown(within);
    }

    void exchangeFinished() {
        active--;
    }

    /** Exchanges in flight on this event loop (a websocket counts until its handshake is done). */
    int activeExchanges() {
        return active;
    }

    /** Drain, first part: from now on every connection closes after the request it carries. */
    void startDraining(Duration within) {
        closeAfterRequestsWithin = within;
    }

    /**
     * Drain, second part: stops accepting, closes idle connections, lets requests in flight
     * finish; after {@code timeout} Vert.x closes whatever is left. Completes when all are closed.
     */
    Future<Void> shutdown(Duration timeout) {
        return server.shutdown(timeout);
    }

    /** The drain's end for websockets: each tunnel still open gets a close frame. */
    void closeTunnels() {
        context.runOnContext(v -> {
            tunnelsClosing = true;
            for (WebSocketTunnel tunnel : drainingTunnels) tunnel.goAway();
            drainingTunnels.clear();
        });
    }

    /** Called on this event loop when the server shutdown reaches a tunnel. */
    void tunnelDraining(WebSocketTunnel tunnel) {
        if (tunnelsClosing) tunnel.goAway();
        else drainingTunnels.add(tunnel);
    }

    Vertx vertx() {
        return vertx;
    }

    HttpClientAgent client() {
        return client;
    }

    HttpClientAgent healthClient() {
        return healthClient;
    }

    /** This instance's event loop context: active health checks run their timers on it. */
    io.vertx.core.Context context() {
        return context;
    }

    long connectTimeoutMs() {
        return options.connectTimeout().toMillis();
    }

    long backendTimeoutMs() {
        return options.backendTimeout().toMillis();
    }

    ForwardedHeaders forwardedHeaders() {
        return forwardedHeaders;
    }

    ServerHeader serverHeader() {
        return serverHeader;
    }

    ExchangeRecorder recorder() {
        return recorder;
    }

    /** One SocketAddress per endpoint, reused across requests; bounded so endpoint churn cannot grow it forever. */
    SocketAddress socketAddress(Endpoint endpoint) {
        SocketAddress address = addresses.get(endpoint);
        if (address == null) {
            if (addresses.size() >= MAX_CACHED_ADDRESSES) addresses.clear();
            address = SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host());
            addresses.put(endpoint, address);
        }
        return address;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
