package dev.pier.proxy;

import dev.pier.model.Endpoint;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's trip through a matched route, on its event loop: filters' request sides, the
 * choice of a backend, tries (with retries and timeouts), then the response streamed back through
 * the filters' response sides. Bodies are piped with backpressure, never buffered whole.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final String[] SET_BY_PROXY = {"host", "expect", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port"};
    // Header names and values as precomputed AsciiStrings: no per-request encoding or hashing of the name.
    private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
    private static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
    private static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
    private static final CharSequence X_FORWARDED_PORT = HttpHeaders.createOptimized("x-forwarded-port");
    private static final CharSequence HTTP = HttpHeaders.createOptimized("http");
    private static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    private static final String[] NONE = {};
    /** Status recorded when the client went away before its answer (nginx's convention). */
    private static final int CLIENT_CLOSED = 499;

    private final ProxyServer server;
    private final HttpServerRequest request;
    private final CompiledRoute route;
    private final long startNanos;
    private final boolean websocket;
    /** Whether a request body follows; for an HTTP/2 request without Content-Length, known only once its stream says. */
    private boolean hasBody;
    private boolean bodyKnown;
    /** The first body chunk, read while deciding {@link #hasBody}; written upstream before the rest is piped. */
    private Buffer firstChunk;
    /** A connected try waiting for {@link #bodyKnown} before it writes the request head. */
    private Try waitingForBody;

    private final MultiMap upstreamHeaders = MultiMap.caseInsensitiveMultiMap();
    private String upstreamPath;
    private HostAndPort upstreamAuthority;
    private Target resolvedTarget;

    private int retriesLeft;
    private Try current;
    private long requestTimer = -1;
    private boolean bodyStarted;
    private boolean responseStarted;
    private boolean finished;
    private int status;

    Exchange(ProxyServer server, HttpServerRequest request, CompiledRoute route, long startNanos) {
        this.server = server;
        this.request = request;
        this.route = route;
        this.startNanos = startNanos;
        this.websocket = request.canUpgradeToWebSocket();
        Boolean declared = websocket ? Boolean.FALSE : declaredBody(request);
        this.bodyKnown = declared != null;
        this.hasBody = declared == null || declared;
        this.upstreamPath = request.path();
        this.upstreamAuthority = request.authority();
        this.retriesLeft = route.retries;
    }

    // ---- the view filters edit -------------------------------------------------------------

    HttpServerRequest request() {
        return request;
    }

    MultiMap upstreamHeaders() {
        return upstreamHeaders;
    }

    String upstreamPath() {
        return upstreamPath;
    }

    void upstreamPath(String path) {
        this.upstreamPath = path;
    }

    void upstreamAuthority(HostAndPort authority) {
        this.upstreamAuthority = authority;
    }

    /** A filter's own answer (redirect, direct response): only the layers before it see it. */
    void answerLocally(int status, String location, String body) {
        HttpServerResponse response = request.response();
        response.setStatusCode(status);
        if (location != null) response.headers().set(HttpHeaders.LOCATION, location);
        if (body != null && !body.isEmpty()) response.headers().set(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        localBody = body;
    }

    private String localBody;

    // ---- flow ------------------------------------------------------------------------------

    void run() {
        request.response().closeHandler(v -> clientGone());
        if (!bodyKnown) {
            watchForBody();
        } else if (!hasBody) {
            request.resume(); // nothing to stream; let the server finish reading it
        }
        copyRequestHeaders();
        CompiledFilter[] filters = route.filters;
        for (int i = 0; i < filters.length; i++) {
            if (filters[i].onRequest(this)) {
                sendLocalAnswer(i);
                return;
            }
        }
        if (route.requestTimeoutMs > 0) {
            requestTimer = server.vertx().setTimer(route.requestTimeoutMs, id -> requestTimedOut());
        }
        RouteAnswer answer = route.answer;
        if (answer instanceof RouteAnswer.Resolve r) {
            String path = NamespaceResolver.upstreamPath(upstreamPath, r.mount());
            String name = NamespaceResolver.serviceName(path, r.versioned());
            resolvedTarget = name == null ? null : r.targets().get(r.servicePrefix() + name);
            if (resolvedTarget == null) {
                fail(404, "no service for this path\n");
                return;
            }
            upstreamPath = path;
        } else if (answer instanceof RouteAnswer.NoBackend) {
            fail(503, "no backend\n");
            return;
        }
        attempt(null);
    }

    private void copyRequestHeaders() {
        MultiMap in = request.headers();
        HopByHop.copy(in, upstreamHeaders, SET_BY_PROXY);
        SocketAddress remote = request.remoteAddress();
        String clientIp = remote == null ? null : remote.hostAddress();
        String forwardedFor = in.get(X_FORWARDED_FOR);
        if (clientIp != null) {
            upstreamHeaders.set(X_FORWARDED_FOR, forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
        } else if (forwardedFor != null) {
            upstreamHeaders.set(X_FORWARDED_FOR, forwardedFor);
        }
        String scheme = request.scheme();
        upstreamHeaders.set(X_FORWARDED_PROTO, scheme == null || scheme.equals("http") ? HTTP : scheme);
        String host = in.get(HttpHeaders.HOST);
        if (host == null && upstreamAuthority != null) host = upstreamAuthority.toString();
        if (host != null) upstreamHeaders.set(X_FORWARDED_HOST, host);
        SocketAddress local = request.localAddress();
        if (local != null) upstreamHeaders.set(X_FORWARDED_PORT, server.portText(local.port()));
        if (websocket) {
            upstreamHeaders.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
            upstreamHeaders.set(HttpHeaders.UPGRADE, in.get(HttpHeaders.UPGRADE));
        }
    }

    private void sendLocalAnswer(int answeredBy) {
        HttpServerResponse response = request.response();
        for (int i = answeredBy - 1; i >= 0; i--) route.filters[i].onResponse(this, response.headers());
        drainUnreadBody();
        responseStarted = true;
        status = response.getStatusCode();
        (localBody == null ? response.end() : response.end(localBody)).onComplete(ar -> finish());
    }

    /** One try against one endpoint. */
    private final class Try {
        final Target target;
        final Endpoint endpoint;
        HttpClientRequest upstream;
        long timer = -1;
        boolean released;

        Try(Target target, Endpoint endpoint) {
            this.target = target;
            this.endpoint = endpoint;
        }

        void release() {
            if (released) return;
            released = true;
            if (timer >= 0) server.vertx().cancelTimer(timer);
            target.balancer.release(endpoint);
        }

        void abort() {
            release();
            if (upstream != null) upstream.reset();
        }
    }

    private void attempt(Endpoint avoid) {
        if (finished) return;
        // Retries stay on the Service the split chose first.
        Target target = resolvedTarget != null ? resolvedTarget : ((RouteAnswer.Forward) route.answer).choose();
        if (target == null) {
            fail(503, "no backend\n");
            return;
        }
        resolvedTarget = target;
        List<Endpoint> endpoints = server.endpoints().get(target.service);
        Endpoint endpoint = target.balancer.pick(endpoints, target.hashKey(request), avoid);
        if (endpoint == null) {
            fail(503, "no endpoint available\n");
            return;
        }
        Try t = new Try(target, endpoint);
        current = t;
        RequestOptions options = new RequestOptions()
                .setServer(server.socketAddress(endpoint))
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setMethod(request.method())
                .setURI(upstreamUri())
                .setHeaders(upstreamHeaders)
                .setConnectTimeout(server.connectTimeoutMs());
        server.client().request(options).onComplete(ar -> connected(t, ar));
    }

    private String upstreamUri() {
        String query = request.query();
        return query == null ? upstreamPath : upstreamPath + '?' + query;
    }

    private void connected(Try t, AsyncResult<HttpClientRequest> ar) {
        if (t != current || finished) {
            t.release();
            if (ar.succeeded()) ar.result().reset();
            return;
        }
        if (ar.failed()) {
            t.release();
            if (ar.cause() instanceof ConnectionPoolTooBusyException) {
                fail(503, "backend connection pool is full\n");
            } else if (mayRetry(false)) {
                retry(t.endpoint);
            } else {
                if (log.isDebugEnabled()) log.debug("route {}: connect to {} failed: {}", route.id, t.endpoint, ar.cause().toString());
                fail(502, "backend connect failed\n");
            }
            return;
        }
        HttpClientRequest upstream = ar.result();
        t.upstream = upstream;
        if (upstreamAuthority != null) upstream.authority(upstreamAuthority);
        long timeout = route.backendTimeoutMs > 0 ? route.backendTimeoutMs : server.backendTimeoutMs();
        t.timer = server.vertx().setTimer(timeout, id -> tryTimedOut(t));
        if (websocket) {
            upstream.connect().onComplete(res -> upgraded(t, res));
            upstream.end();
            return;
        }
        upstream.response().onComplete(res -> responded(t, res));
        if (bodyKnown) {
            sendRequest(t);
            return;
        }
        // An HTTP/2 stream ending with its HEADERS frame says so right after the request handler
        // returned, in the same read; a connection taken from the pool can be here before that.
        waitingForBody = t;
        server.vertx().runOnContext(v -> {
            if (!bodyKnown && waitingForBody == t) bodyDecided(true); // still open: stream it as before
        });
    }

    private void sendRequest(Try t) {
        HttpClientRequest upstream = t.upstream;
        if (!hasBody) {
            upstream.end();
            return;
        }
        bodyStarted = true;
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) upstream.setChunked(true);
        Buffer first = firstChunk;
        firstChunk = null;
        if (first != null) upstream.write(first);
        request.pipe().endOnFailure(false).to(upstream).onFailure(err -> upstream.reset());
    }

    /**
     * HTTP/2 without Content-Length: read until the stream either ends (no body: sent without one,
     * retries allowed) or gives its first chunk (a body: that chunk is held, the rest waits paused).
     */
    private void watchForBody() {
        request.handler(chunk -> {
            request.pause();
            firstChunk = chunk;
            bodyDecided(true);
        });
        request.endHandler(v -> bodyDecided(false));
        request.resume();
    }

    private void bodyDecided(boolean body) {
        if (bodyKnown) return;
        bodyKnown = true;
        hasBody = body;
        request.handler(null).endHandler(null);
        if (body) request.pause(); // decided without a chunk: the pipe resumes it
        Try t = waitingForBody;
        waitingForBody = null;
        if (t != null && t == current && !finished) sendRequest(t);
    }

    /** A try's answer arrived: false when the try was superseded (it is released then); else its timer stops. */
    private boolean answerOfCurrentTry(Try t) {
        if (t != current || finished) {
            t.release();
            return false;
        }
        if (t.timer >= 0) {
            server.vertx().cancelTimer(t.timer);
            t.timer = -1;
        }
        return true;
    }

    private void responded(Try t, AsyncResult<HttpClientResponse> ar) {
        if (!answerOfCurrentTry(t)) return;
        if (ar.failed()) {
            t.release();
            // The connection broke before any response byte: as safe to retry as a connect failure.
            if (mayRetry(true)) {
                retry(t.endpoint);
            } else {
                fail(502, "backend closed the connection\n");
            }
            return;
        }
        HttpClientResponse response = ar.result();
        if (route.retryOn(response.statusCode()) && mayRetry(true)) {
            response.handler(buffer -> { }); // discard the body so the connection goes back to the pool
            response.end().onComplete(x -> t.release());
            retry(t.endpoint);
            return;
        }
        forwardResponse(t, response);
    }

    private void forwardResponse(Try t, HttpClientResponse upstream) {
        HttpServerResponse response = request.response();
        responseStarted = true;
        status = upstream.statusCode();
        response.setStatusCode(status);
        String message = upstream.statusMessage();
        // The standard reason phrase is what the server writes anyway, from a cached status object.
        if (message != null && !message.isEmpty() && !message.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
            response.setStatusMessage(message);
        }
        MultiMap headers = response.headers();
        HopByHop.copy(upstream.headers(), headers, NONE);
        CompiledFilter[] filters = route.filters;
        for (int i = filters.length - 1; i >= 0; i--) filters[i].onResponse(this, headers);
        if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && request.version() == HttpVersion.HTTP_1_1
                && request.method() != HttpMethod.HEAD && status != 204 && status != 304) {
            response.setChunked(true);
        }
        new ResponseRelay(t, upstream, response).start();
    }

    /**
     * Streams the backend's body downstream with backpressure, as {@code upstream.pipe().endOnFailure(false)
     * .to(response)} did: a failed write or an error on either side fails it (both streams reset, the
     * downstream never ended cleanly); the end of the body ends the response. One object per response
     * instead of a pipe, its promises and a lambda per chunk.
     */
    private final class ResponseRelay implements Handler<Buffer> {
        private final Try t;
        private final HttpClientResponse upstream;
        private final HttpServerResponse response;
        private final Handler<AsyncResult<Void>> onWritten = ar -> {
            if (ar.failed()) done(false);
        };
        private boolean done;
        private boolean upstreamEnded;

        ResponseRelay(Try t, HttpClientResponse upstream, HttpServerResponse response) {
            this.t = t;
            this.upstream = upstream;
            this.response = response;
        }

        void start() {
            upstream.exceptionHandler(err -> done(false));
            response.exceptionHandler(err -> done(false));
            upstream.endHandler(v -> {
                upstreamEnded = true;
                response.end().onComplete(ar -> done(ar.succeeded()));
            });
            upstream.handler(this);
        }

        @Override
        public void handle(Buffer chunk) {
            response.write(chunk).onComplete(onWritten);
            if (response.writeQueueFull()) {
                upstream.pause();
                response.drainHandler(v -> upstream.resume());
            }
        }

        private void done(boolean ok) {
            if (done) return;
            done = true;
            upstream.handler(null).exceptionHandler(null).endHandler(null);
            response.drainHandler(null).exceptionHandler(null);
            t.release();
            if (!ok) {
                response.reset();
                // A backend response read to its end leaves a reusable connection; reset would close it.
                if (t.upstream != null && !upstreamEnded) t.upstream.reset();
            }
            finish();
        }
    }

    private void upgraded(Try t, AsyncResult<HttpClientResponse> ar) {
        if (!answerOfCurrentTry(t)) return;
        if (ar.failed()) {
            t.release();
            fail(502, "backend websocket handshake failed\n");
            return;
        }
        HttpClientResponse upstream = ar.result();
        if (upstream.statusCode() != 101) {
            forwardResponse(t, upstream); // the backend refused the upgrade: pass its answer on
            return;
        }
        HttpServerResponse response = request.response();
        responseStarted = true;
        status = 101;
        response.setStatusCode(101);
        response.headers().addAll(upstream.headers());
        request.toNetSocket().onComplete(down -> {
            NetSocket up = upstream.netSocket();
            if (down.failed()) {
                up.close();
                t.release();
                finish();
                return;
            }
            WebSocketTunnel.start(server, down.result(), up, t::release);
            finish(); // the handshake is the measured exchange; the tunnel lives on
        });
    }

    // ---- retries and timeouts --------------------------------------------------------------

    /**
     * Retries need an idempotent method and nothing sent downstream yet; once the request body
     * started streaming it cannot be replayed, so only body-less requests retry after a connect.
     */
    private boolean mayRetry(boolean afterConnect) {
        if (retriesLeft <= 0 || responseStarted || finished || websocket) return false;
        if (afterConnect && hasBody) return false;
        if (bodyStarted) return false;
        return isIdempotent(request.method());
    }

    private void retry(Endpoint failed) {
        retriesLeft--;
        if (route.retryBackoffMs > 0) {
            server.vertx().setTimer(route.retryBackoffMs, id -> attempt(failed));
        } else {
            attempt(failed);
        }
    }

    private void tryTimedOut(Try t) {
        t.timer = -1;
        if (t != current || finished || responseStarted) return;
        abortCurrentTry();
        fail(504, "backend timed out\n");
    }

    /** Detaches the current try before resetting it, so its failure callback sees a stale try. */
    private void abortCurrentTry() {
        Try t = current;
        current = null;
        if (t != null) t.abort();
    }

    private void requestTimedOut() {
        requestTimer = -1;
        if (finished) return;
        abortCurrentTry();
        if (!responseStarted) {
            fail(504, "request timed out\n");
        } else {
            // Too late for a status: cut the stream so the client sees an incomplete response.
            request.response().reset();
            finish();
        }
    }

    private void clientGone() {
        // An HTTP/2 stream also reports "closed" right after a normal end, before end()'s callback
        // runs: not a client gone, and aborting the try there would close a reusable backend connection.
        if (finished || request.response().ended()) return;
        abortCurrentTry();
        if (!responseStarted) status = CLIENT_CLOSED;
        finish();
    }

    // ---- ending ----------------------------------------------------------------------------

    /** Answers with a short plain-text error, unless the response already started (then it is cut). */
    private void fail(int errorStatus, String body) {
        if (finished) return;
        HttpServerResponse response = request.response();
        if (responseStarted || response.headWritten()) {
            response.reset();
            finish();
            return;
        }
        drainUnreadBody();
        responseStarted = true;
        status = errorStatus;
        response.setStatusCode(errorStatus);
        response.headers().clear();
        response.putHeader(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        response.end(body).onComplete(ar -> finish());
    }

    /** A body nobody will read is drained, so an HTTP/1 connection can carry the next request. */
    private void drainUnreadBody() {
        if (hasBody && !bodyStarted) {
            bodyStarted = true;
            bodyKnown = true;
            firstChunk = null;
            waitingForBody = null;
            request.handler(buffer -> { }).endHandler(null);
            request.resume();
        }
    }

    private void finish() {
        if (finished) return;
        finished = true;
        server.exchangeFinished();
        if (requestTimer >= 0) server.vertx().cancelTimer(requestTimer);
        route.metrics.record(status, startNanos);
    }

    static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
    }

    /** Whether the head announces a body; null for HTTP/2 without Content-Length (the stream tells later). */
    private static Boolean declaredBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) return !length.equals("0");
        if (request.version() != HttpVersion.HTTP_2) return request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        return request.isEnded() ? Boolean.FALSE : null;
    }
}
