package dev.pier.proxy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.SocketAddress;
import dev.pier.model.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.opentelemetry.api.trace.Span;
import java.util.function.Supplier;

/**
 * One server instance on one event loop, with its own upstream clients so that a request, its
 * backend connection and its callbacks stay on one thread. Instances share the listening port.
 */
final class ProxyServer extends VerticleBase {
    private final Supplier<CompiledTable> table;
    private final Supplier<AcmeAnswers> acmeAnswers;
    private final ProxyOptions options;
    private final SocketAddress bindAddress;
    private final SocketAddress httpsBindAddress;
    /** Null when HTTPS is off. */
    private final HttpsSetup https;
    private final HttpsRedirect httpsRedirect;
    private static final int MAX_CACHED_ADDRESSES = 4096;

    private final ExchangeRecorder recorder;
    /** The rpc handler's descriptors per endpoint, shared by every instance. */
    private final ReflectionCache reflection;
    private final ServerHeader serverHeader;
    private UpstreamClients clients;
    /** This instance's Netty event loop: every exchange of the instance runs on it. */
    private io.netty.channel.EventLoop eventLoop;
    /** Active health checks' own small pool, so a busy traffic pool never makes a check time out. */
    private HttpClientAgent healthClient;
    private HttpServer server;
    private HttpServer httpsServer;
    private HttpServerOptions httpsOptions;
    // Per event loop, so plain fields and maps: no locking on the request path.
    private final ForwardedHeaders forwardedHeaders;
    private final Map<Endpoint, SocketAddress> addresses = new HashMap<>();
    /** Set when draining: each connection closes after the request it carries, at the latest after this. */
    private volatile Duration closeAfterRequestsWithin;
    /** Tunnels the server shutdown left open; they get a close frame when the drain ends. Event loop only. */
    private final List<WebSocketTunnel> drainingTunnels = new ArrayList<>();
    private boolean tunnelsClosing;
    /** Set while this loop runs later than {@code EdgePolicy.maxEventLoopDelay}: new requests get 503. */
    private boolean shedding;
    private long lastTick;
    /** How long after the last tick the loop counts as behind; 0 when shedding is off. */
    private long overdueNanos;
    private long lagTimer = -1;
    private final MatchInput.ServerRequest matchInput = new MatchInput.ServerRequest();

    /** @param https the HTTPS listener's TLS, null for none (then {@code httpsBindAddress} is unused) */
    ProxyServer(Supplier<CompiledTable> table, Supplier<AcmeAnswers> acmeAnswers, ProxyOptions options, SocketAddress bindAddress,
                SocketAddress httpsBindAddress, HttpsSetup https, ExchangeRecorder recorder, ReflectionCache reflection) {
        this.table = table;
        this.acmeAnswers = acmeAnswers;
        this.options = options;
        this.bindAddress = bindAddress;
        this.httpsBindAddress = httpsBindAddress;
        this.https = https;
        this.httpsRedirect = new HttpsRedirect(options.httpsRedirectPort());
        this.recorder = recorder;
        this.reflection = reflection;
        this.serverHeader = new ServerHeader(options.serverHeader());
        this.forwardedHeaders = new ForwardedHeaders(options.edge().trustedProxies(), recorder.tracing);
    }

    @Override
    public Future<?> start() {
        eventLoop = ((ContextInternal) context).nettyEventLoop();
        clients = new UpstreamClients(vertx, eventLoop, options);
        healthClient = vertx.httpClientBuilder().with(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
                        .setDecompressionSupported(false)
                        .setMaxHeaderSize(32 * 1024)
                        .setName("pier-health-check"))
                .with(new PoolOptions().setHttp1MaxSize(2)).build();
        startLagTicks();
        HttpServerOptions listener = Listener.serverOptions(options.edge()); // HTTPS adds only TLS on top
        server = vertx.createHttpServer(listener).requestHandler(request -> handle(request, false));
        Listener.guard(server, options.edge(), options.serverHeader(), this::refusedAtEdge);
        Future<HttpServer> plain = server.listen(bindAddress)
                .onSuccess(bound -> {
                    H2Front.serve(bound.actualPort(), (ContextInternal) context, request -> handle(request, false));
                    H1Front.serve(bound.actualPort(), (ContextInternal) context, request -> handle(request, false),
                            this::refusedAtEdge, options.serverHeader());
                })
                .recover(e -> Future.failedFuture(new ListenFailure("--http-port", bindAddress.port(), e)));
        if (https == null) return plain;
        httpsOptions = https.apply(listener);
        httpsServer = vertx.createHttpServer(httpsOptions).requestHandler(request -> handle(request, true));
        Listener.guard(httpsServer, options.edge(), options.serverHeader(), this::refusedAtEdge);
        return plain.compose(bound -> httpsServer.listen(httpsBindAddress)
                .onSuccess(tls -> H2Front.serve(tls.actualPort(), (ContextInternal) context, request -> handle(request, true)))
                .recover(e -> Future.failedFuture(new ListenFailure("--https-port", httpsBindAddress.port(), e))));
    }

    /** Which listener could not bind, so the message names its flag and port. */
    static final class ListenFailure extends RuntimeException {
        final String flag;
        final int port;

        ListenFailure(String flag, int port, Throwable cause) {
            super(flag + " " + port + ": " + cause.getMessage(), cause);
            this.flag = flag;
            this.port = port;
        }
    }

    /** A new table is live: on this loop, TLS clients it no longer uses are shut down (gracefully). */
    void tableChanged(CompiledTable next) {
        context.runOnContext(v -> {
            if (clients != null) clients.retainTls(next.tlsSettings());
        });
    }

    int actualPort() {
        return server.actualPort();
    }

    /** The HTTPS port, -1 when HTTPS is off. */
    int actualHttpsPort() {
        return httpsServer == null ? -1 : httpsServer.actualPort();
    }

    /**
     * A new SSL context with the same settings for new handshakes (open connections keep theirs):
     * the OpenSSL engine's per-certificate cache starts anew, and sessions made with certificates
     * that changed are not resumed. The listening socket stays bound.
     */
    Future<Boolean> refreshTls() {
        return httpsServer == null ? Future.succeededFuture(false)
                : httpsServer.updateSSLOptions(HttpsSetup.refreshOptions(httpsOptions), true);
    }

    /** A timer that runs late says the loop is behind: new requests are shed until one runs on time. */
    private void startLagTicks() {
        long maxDelay = options.edge().maxEventLoopDelay().toNanos();
        if (maxDelay <= 0) return;
        long tick = Math.max(10, Math.min(100, options.edge().maxEventLoopDelay().toMillis() / 2));
        overdueNanos = TimeUnit.MILLISECONDS.toNanos(tick) + maxDelay;
        lastTick = System.nanoTime();
        lagTimer = vertx.setPeriodic(tick, id -> {
            long now = System.nanoTime();
            shedding = now - lastTick - TimeUnit.MILLISECONDS.toNanos(tick) > maxDelay;
            lastTick = now;
        });
    }

    @Override
    public Future<?> stop() {
        if (lagTimer >= 0) vertx.cancelTimer(lagTimer);
        if (server != null) H2Front.stop(server.actualPort(), eventLoop);
        if (server != null) H1Front.stop(server.actualPort(), eventLoop);
        if (httpsServer != null) H2Front.stop(httpsServer.actualPort(), eventLoop);
        return clients == null ? Future.succeededFuture() : clients.close();
    }

    private void handle(HttpServerRequest request, boolean secure) {
        long start = System.nanoTime();
        recorder.started();
        Span span = recorder.tracing.on() ? recorder.tracing.start(request, forwardedHeaders.clientAddress(request)) : null;
        Duration draining = closeAfterRequestsWithin;
        if (draining != null) closeAfterThisRequest(request, draining);
        // Behind: the last tick ran late, or the next one is overdue (this request got in before it).
        if (shedding || (overdueNanos > 0 && start - lastTick > overdueNanos)) {
            ErrorAnswer.refuse(request, 503, "overloaded, retry later\n", serverHeader);
            recorder.answeredDirectly(this, request, null, 503, start, span);
            return;
        }
        if (!secure && answerAcmeChallenge(request, start, span)) return;
        String path;
        try {
            path = PathNormalizer.normalize(request.path()); // once, before matching: see PathNormalizer
        } catch (PathNormalizer.Rejected e) {
            answerWithoutRoute(request, 400, e.getMessage(), start, span);
            return;
        }
        CompiledTable current = table.get(); // read once; this request keeps it to the end
        CompiledRoute route = current.select(matchInput.of(request, path), null);
        matchInput.clear();
        if ((route == null || !route.forwardRawPath) && PathNormalizer.hasEncodedSeparator(path)) {
            answerWithoutRoute(request, 400, "the path holds an encoded / or \\ (%2F, %5C)\n", start, span);
            return;
        }
        if (route == null) {
            answerWithoutRoute(request, 404, "no route\n", start, span);
            return;
        }
        // The raw path: a client's "/.well-known/acme-challenge/" is exempt as sent; the redirect keeps the path as sent too.
        if (!secure && route.httpsRedirect && !HttpsRedirect.exempt(path)) {
            boolean sent = httpsRedirect.send(request, serverHeader);
            if (!sent) ErrorAnswer.send(request, 400, "bad host\n", serverHeader, null);
            recorder.answeredDirectly(this, request, route, sent ? 308 : 400, start, span);
            return;
        }
        request.pause(); // the body waits until a backend connection is ready
        new Exchange(this, request, route, path, start, span).run();
    }

    /** An ACME HTTP-01 validation of a challenge in progress, answered before any route (every replica has the answers). */
    private boolean answerAcmeChallenge(HttpServerRequest request, long start, Span span) {
        HostAndPort authority = request.authority();
        String answer = acmeAnswers.get().answer(authority == null ? null : authority.host(), request.path());
        if (answer == null) return false;
        HttpServerResponse response = request.response();
        response.headers().set(HttpHeaders.CONTENT_TYPE, "application/octet-stream"); // RFC 8555 section 8.3
        serverHeader.addIfAbsent(response.headers());
        response.end(answer);
        recorder.answeredDirectly(this, request, null, 200, start, span);
        return true;
    }

    private void answerWithoutRoute(HttpServerRequest request, int status, String body, long start, Span span) {
        ErrorAnswer.send(request, status, body, serverHeader, null); // a gRPC call gets a gRPC status
        recorder.answeredDirectly(this, request, null, status, start, span);
    }

    /** A head the edge refused before routing (framing, limits), already answered: counted and logged under route none. */
    private void refusedAtEdge(HttpServerRequest request, int status) {
        recorder.refusedHead(this, request, status);
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

    /** Drain, first part: from now on every connection closes after the request it carries. */
    void startDraining(Duration within) {
        closeAfterRequestsWithin = within;
    }

    /**
     * Drain, second part: stops accepting, closes idle connections, lets requests in flight
     * finish; after {@code timeout} Vert.x closes whatever is left. Completes when all are closed.
     */
    Future<Void> shutdown(Duration timeout) {
        Future<Void> plain = server.shutdown(timeout);
        return httpsServer == null ? plain : Future.all(plain, httpsServer.shutdown(timeout)).mapEmpty();
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

    /**
     * The event loop itself, for per-try timers: scheduling on it directly costs a priority-queue
     * insert, where Vert.x's {@code setTimer} adds two concurrent-map operations and a handler object.
     */
    io.netty.channel.EventLoop eventLoop() {
        return eventLoop;
    }

    UpstreamClients clients() {
        return clients;
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

    long maxRequestBodyBytes() {
        return options.edge().maxRequestBodyBytes();
    }

    int requestBufferBytes() {
        return options.edge().requestBufferBytes();
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

    ReflectionCache reflection() {
        return reflection;
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
}
