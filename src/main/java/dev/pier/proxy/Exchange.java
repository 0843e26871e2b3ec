package dev.pier.proxy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.Endpoint;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's trip through a matched route, on its event loop, and the one owner of its state:
 * whether a body follows and whether it started, which try is current, the timers, whether the
 * response started, the final status. The work is cut by side, as vertx-http-proxy cuts it:
 * {@link UpstreamRequest} and {@link ForwardedHeaders} (what the backend gets), {@link RequestBody}
 * (body framing), {@link UpstreamTry} (one try), {@link ResponseRelay} and {@link WebSocketUpgrade}
 * (what the client gets), {@link ErrorAnswer} (Pier's own answers), {@link ExchangeRecorder} (the
 * end). This class decides between them: filters, backend choice, retries, timeouts, a client
 * going away.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    /** Status recorded when the client went away before its answer (nginx's convention). */
    private static final int CLIENT_CLOSED = 499;

    final ProxyServer server;
    final HttpServerRequest request;
    final CompiledRoute route;
    final boolean websocket;
    /** A gRPC call: its deadline is its {@code grpc-timeout}, and Pier's own answers to it are gRPC statuses. */
    final boolean grpc;
    /** The normalised request path, as matched. */
    final String path;
    private final long startNanos;
    private final UpstreamRequest upstream;

    // The exchange's state: written only here, on the event loop.
    /** Whether a request body follows; for an HTTP/2 request without Content-Length, known only once its stream says. */
    private boolean hasBody;
    private boolean bodyKnown;
    private boolean bodyStarted;
    /** The first body chunk, read while deciding {@link #hasBody}; written upstream before the rest is piped. */
    private Buffer firstChunk;
    /** A connected try waiting for {@link #bodyKnown} before it writes the request. */
    private UpstreamTry waitingForBody;
    /** The Service the split chose; retries stay on it. */
    private Target target;
    private int retriesLeft;
    private UpstreamTry current;
    private long requestTimer = -1;
    /** When the whole exchange must be over ({@link System#nanoTime}), for a gRPC call's {@code grpc-timeout}; 0 for none. */
    private long grpcDeadlineNanos;
    private long backoffTimer = -1;
    private boolean responseStarted;
    private boolean finished;
    private int status;
    private String localBody;

    /**
     * @param path the normalised request path ({@link PathNormalizer}): what filters, the resolver and
     *             (unless the route forwards the raw path) the backend see
     */
    Exchange(ProxyServer server, HttpServerRequest request, CompiledRoute route, String path, long startNanos) {
        this.server = server;
        this.request = request;
        this.route = route;
        this.path = path;
        this.startNanos = startNanos;
        this.websocket = request.canUpgradeToWebSocket();
        this.grpc = !websocket && Grpc.isCall(request);
        Boolean declared = websocket ? Boolean.FALSE : RequestBody.declared(request);
        this.bodyKnown = declared != null;
        this.hasBody = declared == null || declared;
        this.upstream = new UpstreamRequest(request, path, route.forwardRawPath);
        this.retriesLeft = route.retries;
    }

    // ---- the view filters edit -------------------------------------------------------------

    UpstreamRequest upstream() {
        return upstream;
    }

    /** A filter's own answer (redirect, direct response): only the layers before it see it. */
    void answerLocally(int status, String location, String body) {
        HttpServerResponse response = request.response();
        response.setStatusCode(status);
        if (location != null) response.headers().set(HttpHeaders.LOCATION, location);
        if (body != null && !body.isEmpty()) response.headers().set(HttpHeaders.CONTENT_TYPE, ErrorAnswer.TEXT_PLAIN);
        localBody = body;
    }

    /** Runs the response sides of the first {@code layers} filters, innermost first. */
    void filterResponse(MultiMap headers, int layers) {
        CompiledFilter[] filters = route.filters;
        for (int i = layers - 1; i >= 0; i--) filters[i].onResponse(this, headers);
    }

    // ---- flow ------------------------------------------------------------------------------

    void run() {
        request.response().closeHandler(v -> clientGone());
        if (!bodyKnown) {
            RequestBody.watch(request, this);
        } else if (!hasBody) {
            request.resume(); // nothing to stream; let the server finish reading it
        }
        server.forwardedHeaders().apply(request, websocket, upstream.headers());
        CompiledFilter[] filters = route.filters;
        for (int i = 0; i < filters.length; i++) {
            if (filters[i].onRequest(this)) {
                sendLocalAnswer(i);
                return;
            }
        }
        long timeoutMs = requestTimeoutMs();
        if (timeoutMs > 0) {
            requestTimer = server.vertx().setTimer(timeoutMs, id -> requestTimedOut());
        }
        CompiledAction action = route.action;
        if (action instanceof CompiledAction.Resolve r) {
            String path = ResolverNaming.upstreamPath(upstream.path(), r.mount());
            String name = ResolverNaming.serviceName(path, r.versioned());
            target = name == null ? null : r.targets().get(r.servicePrefix() + name);
            if (target == null) {
                fail(404, "no service for this path\n");
                return;
            }
            upstream.path(path);
        } else if (action instanceof CompiledAction.NoBackend) {
            fail(503, "no backend\n");
            return;
        }
        attempt(null);
    }

    /**
     * The whole exchange's bound: the route's request timeout, or a gRPC call's {@code grpc-timeout}
     * when that is sooner (the route's own timeout always bounds it); 0 for none.
     */
    private long requestTimeoutMs() {
        long routeMs = route.requestTimeoutMs;
        if (!grpc) return routeMs;
        long grpcMs = Grpc.timeoutMs(request.getHeader(Grpc.GRPC_TIMEOUT));
        long ms = grpcMs < 0 ? routeMs : routeMs > 0 ? Math.min(routeMs, Math.max(1, grpcMs)) : Math.max(1, grpcMs);
        if (ms > 0) grpcDeadlineNanos = startNanos + ms * 1_000_000L;
        return ms;
    }

    /**
     * A try's bound until its response head: the route's, else for a gRPC call with a deadline
     * none of its own (the deadline bounds it: a long call the client allows is not cut at the
     * data plane's default), else the data plane's default. 0 for none.
     */
    long tryTimeoutMs() {
        if (route.backendTimeoutMs > 0) return route.backendTimeoutMs;
        if (grpcDeadlineNanos != 0) return 0;
        return server.backendTimeoutMs();
    }

    private void sendLocalAnswer(int answeredBy) {
        HttpServerResponse response = request.response();
        server.serverHeader().addIfAbsent(response.headers());
        route.addHsts(request, response.headers());
        filterResponse(response.headers(), answeredBy);
        drainUnreadBody();
        responseStarted(response.getStatusCode());
        (localBody == null ? response.end() : response.end(localBody)).onComplete(ar -> finish());
    }

    private void attempt(Endpoint avoid) {
        if (finished) return;
        Target chosen = target != null ? target : ((CompiledAction.Forward) route.action).choose();
        if (chosen == null) {
            fail(503, "no backend\n");
            return;
        }
        target = chosen;
        if (chosen.protocol instanceof BackendProtocol.Unavailable) {
            fail(503, "backend protocol not usable\n"); // the route's status says why
            return;
        }
        if (websocket && chosen.protocol instanceof BackendProtocol.H2c) {
            fail(502, "websocket upgrade to an HTTP/2 backend\n"); // an upgrade is HTTP/1.1; kubernetes.io/ws says so
            return;
        }
        Endpoint endpoint = chosen.balancer.pick(chosen.hashKey(request), avoid);
        if (endpoint == null) {
            fail(503, "no endpoint available\n");
            return;
        }
        if (grpcDeadlineNanos != 0) {
            // The backend gets what is left of the deadline, which the route's timeout may have shortened.
            long leftMs = Math.max(1, (grpcDeadlineNanos - System.nanoTime()) / 1_000_000L);
            upstream.headers().set(Grpc.GRPC_TIMEOUT, Grpc.timeoutValue(leftMs));
        }
        UpstreamTry t = new UpstreamTry(this, chosen, endpoint);
        current = t;
        t.open();
    }

    // ---- what a try reports ----------------------------------------------------------------

    /** Whether the exchange still waits on {@code t}; a superseded try cleans up after itself. */
    boolean isCurrent(UpstreamTry t) {
        return t == current && !finished;
    }

    void connectFailed(UpstreamTry t, Throwable cause) {
        if (cause instanceof ConnectionPoolTooBusyException) {
            fail(503, "backend connection pool is full\n");
        } else if (mayRetry(false)) {
            retry(t.endpoint);
        } else {
            if (log.isDebugEnabled()) log.debug("route {}: connect to {} failed: {}", route.id, t.endpoint, cause.toString());
            fail(502, "backend connect failed\n");
        }
    }

    /** The try's request head is ready: send it with the body, or wait until an HTTP/2 stream says whether one follows. */
    void connected(UpstreamTry t) {
        if (bodyKnown) {
            sendBody(t);
            return;
        }
        // An HTTP/2 stream ending with its HEADERS frame says so right after the request handler
        // returned, in the same read; a connection taken from the pool can be here before that.
        waitingForBody = t;
        server.vertx().runOnContext(v -> {
            if (!bodyKnown && waitingForBody == t) bodyDecided(true, null); // still open: stream it as before
        });
    }

    /** Called once it is known whether a body follows; {@code first} is its first chunk when already read. */
    void bodyDecided(boolean body, Buffer first) {
        if (bodyKnown) return;
        bodyKnown = true;
        hasBody = body;
        firstChunk = first;
        RequestBody.stopWatching(request, body);
        UpstreamTry t = waitingForBody;
        waitingForBody = null;
        if (t != null && isCurrent(t)) sendBody(t);
    }

    private void sendBody(UpstreamTry t) {
        if (!hasBody) {
            t.request().end();
            return;
        }
        bodyStarted = true;
        Buffer first = firstChunk;
        firstChunk = null;
        // A gRPC stream may wait for the server before it sends a message: its head goes now.
        if (first == null && grpc) t.request().setChunked(true).sendHead();
        RequestBody.send(request, first, t.request());
    }

    void responded(UpstreamTry t, AsyncResult<HttpClientResponse> ar) {
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
            t.discard(response);
            retry(t.endpoint);
            return;
        }
        new ResponseRelay(this, t, response).start();
    }

    void upgraded(UpstreamTry t, AsyncResult<HttpClientResponse> ar) {
        if (ar.failed()) {
            t.release();
            fail(502, "backend websocket handshake failed\n");
            return;
        }
        HttpClientResponse response = ar.result();
        if (response.statusCode() != 101) {
            new ResponseRelay(this, t, response).start(); // the backend refused the upgrade: pass its answer on
            return;
        }
        WebSocketUpgrade.complete(this, t, response);
    }

    void tryTimedOut(UpstreamTry t) {
        if (!isCurrent(t) || responseStarted) return;
        abortCurrentTry();
        fail(504, "backend timed out\n");
    }

    /** The response head is going downstream: from now on an error cuts the response instead of answering. */
    void responseStarted(int status) {
        responseStarted = true;
        this.status = status;
    }

    /** The relay is over (the body ended, or both streams were reset). */
    void relayed(UpstreamTry t) {
        t.release();
        finish();
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
        // The failed try is over for the exchange (a draining response finishes on its own), so a
        // client leaving during the backoff must not reset its connection.
        current = null;
        if (route.retryBackoffMs > 0) {
            backoffTimer = server.vertx().setTimer(route.retryBackoffMs, id -> {
                backoffTimer = -1;
                attempt(failed);
            });
        } else {
            attempt(failed);
        }
    }

    /** Detaches the current try before resetting it, so its failure callback sees a stale try. */
    private void abortCurrentTry() {
        UpstreamTry t = current;
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
        responseStarted(errorStatus);
        ErrorAnswer.send(request, errorStatus, body, server.serverHeader(), route).onComplete(ar -> finish());
    }

    /** A body nobody will read is drained, so an HTTP/1 connection can carry the next request. */
    private void drainUnreadBody() {
        if (hasBody && !bodyStarted) {
            bodyStarted = true;
            bodyKnown = true;
            firstChunk = null;
            waitingForBody = null;
            RequestBody.discard(request);
        }
    }

    /** The exchange is over (for a websocket: its handshake); runs once. */
    void finish() {
        if (finished) return;
        finished = true;
        server.exchangeFinished();
        if (requestTimer >= 0) server.vertx().cancelTimer(requestTimer);
        if (backoffTimer >= 0) server.vertx().cancelTimer(backoffTimer);
        server.recorder().ended(route, status, startNanos);
    }

    static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
    }
}
