package dev.pier.proxy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.Endpoint;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.function.BiFunction;
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
    final long startNanos;
    /** The request's span; null when tracing is off. */
    final Span span;
    private final UpstreamRequest upstream;
    /** The client's X-Request-Id, or the one Pier made up and passed on. */
    private String requestId;

    // The exchange's state: written only here, on the event loop.
    /** Whether a request body follows; for an HTTP/2 request without Content-Length, known only once its stream says. */
    private boolean hasBody;
    /** The body is read (whole, or its first part when larger than the request buffer) and a backend may be chosen. */
    private boolean bodyRead;
    private boolean bodyStarted;
    /** The whole body, when it fit the request buffer: sent with each try, so such a request may be retried. */
    private Buffer wholeBody;
    /** The body's first part when it did not fit the request buffer; written upstream before the rest is piped. */
    private Buffer firstPart;
    /** Body bytes allowed (413 above), 0 for no limit. */
    private final long maxBody;
    /** The Service the split chose; retries stay on it. */
    private Target target;
    private int retriesLeft;
    private int retried;
    private UpstreamTry current;
    /** The endpoint of the latest try, and how long the try that answered took until its response ended (-1: none answered). */
    private Endpoint upstreamEndpoint;
    private long upstreamNanos = -1;
    private long requestTimer = -1;
    /** When the whole exchange must be over ({@link System#nanoTime}), for a gRPC call's {@code grpc-timeout}; 0 for none. */
    private long grpcDeadlineNanos;
    private long backoffTimer = -1;
    private boolean responseStarted;
    private boolean finished;
    private int status;
    private String localBody;
    /** Set when one of Pier's own handlers ({@link LocalHandler}) answers instead of a backend: ends its work early. */
    private Runnable handlerAbort;
    /** The handler's error body for a status and a message (JSON); null while forwarding (plain text). */
    private BiFunction<Integer, String, Buffer> handlerErrors;
    /** The body went over a handler's limit and was not read to its end: the connection or stream closes after the answer. */
    private boolean bodyLeftUnread;
    /** When a handler's call to its backend started ({@link System#nanoTime}), 0 before. */
    private long handlerCallStart;

    /**
     * @param path the normalised request path ({@link PathNormalizer}): what filters, the resolver and
     *             (unless the route forwards the raw path) the backend see
     * @param span the request's span, or null when tracing is off
     */
    Exchange(ProxyServer server, HttpServerRequest request, CompiledRoute route, String path, long startNanos, Span span) {
        this.server = server;
        this.request = request;
        this.route = route;
        this.path = path;
        this.startNanos = startNanos;
        this.span = span;
        this.websocket = request.canUpgradeToWebSocket();
        this.grpc = !websocket && Grpc.isCall(request);
        Boolean declared = websocket ? Boolean.FALSE : RequestBody.declared(request);
        this.hasBody = declared == null || declared;
        this.bodyRead = !hasBody;
        this.maxBody = route.limits.maxRequestBodyBytes >= 0 ? route.limits.maxRequestBodyBytes : server.maxRequestBodyBytes();
        this.upstream = new UpstreamRequest(request, path, route.forwardRawPath);
        this.retriesLeft = route.limits.retries;
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
        if (!hasBody) request.resume(); // nothing to read; let the server finish the request
        if (hasBody && maxBody > 0 && RequestBody.declaredLength(request) > maxBody) {
            refuseBody(); // as nginx does: at once, without reading a byte of it
            return;
        }
        requestId = server.forwardedHeaders().apply(request, websocket, upstream.headers(), span);
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
            if (r.handler() != null && r.handler().serve(this, r, path)) return; // rpc, event, /rpc: Pier answers
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
        if (bodyRead) {
            attempt(null);
        } else if (grpc) {
            // A gRPC stream is streamed from its first byte: its messages may wait for the server's
            // (bidirectional, or the server speaks first), so nothing is held back; it goes to an
            // HTTP/2 backend, where a slow stream pins no pooled connection.
            bodyRead = true;
            attempt(null);
        } else {
            // A body that fits the buffer is read whole before a backend connection is taken, so a
            // slow client holds no pooled connection while it trickles its upload.
            RequestBody.read(request, server.requestBufferBytes(), maxBody, this);
        }
    }

    /** The body is read: whole (also an HTTP/2 stream that ended empty), or its first part. */
    void bodyRead(Buffer read, boolean whole) {
        if (finished || bodyRead) return;
        bodyRead = true;
        if (whole) {
            hasBody = read.length() > 0 || RequestBody.declaredLength(request) == 0;
            wholeBody = hasBody ? read : null;
        } else {
            firstPart = read;
        }
        attempt(null);
    }

    /** More body than the route allows: 413 while nothing went downstream, else the response is cut. */
    void bodyTooLarge() {
        if (finished) return;
        abortCurrentTry();
        refuseBody();
    }

    private void refuseBody() {
        bodyStarted = true; // never drained: the connection closes instead
        if (responseStarted || request.response().headWritten()) {
            request.response().reset();
            finish();
            return;
        }
        responseStarted(413);
        ErrorAnswer.refuse(request, 413, "request body too large\n", server.serverHeader()).onComplete(ar -> finish());
    }

    /**
     * The whole exchange's bound: the route's request timeout, or a gRPC call's {@code grpc-timeout}
     * when that is sooner (the route's own timeout always bounds it); 0 for none.
     */
    private long requestTimeoutMs() {
        long routeMs = route.limits.requestTimeoutMs;
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
        if (route.limits.backendTimeoutMs > 0) return route.limits.backendTimeoutMs;
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
        upstreamEndpoint = endpoint;
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
            return;
        }
        t.target.meters.connectFailed();
        boolean timedOut = isTimeout(cause);
        if (timedOut) t.target.meters.timedOut(RouteMeters.Timeout.CONNECT);
        if (mayRetry(false)) {
            retry(t.endpoint, RouteMeters.RetryReason.CONNECT);
        } else {
            if (log.isDebugEnabled()) log.debug("route {}: connect to {} failed: {}", route.id(), t.endpoint, cause.toString());
            if (timedOut) fail(504, "backend connect timed out\n");
            else fail(502, "backend connect failed\n");
        }
    }

    /** A connect that got no answer in time (the TCP connect, or the wait for a pooled connection), not a refusal. */
    static boolean isTimeout(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof io.netty.channel.ConnectTimeoutException || c instanceof java.util.concurrent.TimeoutException)
                return true;
        }
        return false;
    }

    /** The try's request head is ready: send it with the body read so far, then pipe the rest. */
    void connected(UpstreamTry t) {
        BackendStream stream = t.stream();
        if (!hasBody) {
            stream.send(null);
        } else if (wholeBody != null) {
            stream.send(wholeBody);
        } else {
            bodyStarted = true;
            Buffer first = firstPart;
            firstPart = null;
            // The head goes now: a gRPC stream may wait for the server before it sends a message.
            RequestBody.send(request, first, stream, maxBody, this);
        }
    }

    /** The try's response head is in, or the try failed before one ({@code failure}). */
    void responded(UpstreamTry t, Throwable failure) {
        if (failure != null) {
            t.release();
            // The connection broke before any response byte: as safe to retry as a connect failure.
            if (mayRetry(true)) {
                retry(t.endpoint, RouteMeters.RetryReason.RESET);
            } else {
                fail(502, "backend closed the connection\n");
            }
            return;
        }
        BackendStream response = t.stream();
        if (route.retryOn(response.status()) && mayRetry(true)) {
            t.discard();
            retry(t.endpoint, RouteMeters.RetryReason.STATUS);
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
            new ResponseRelay(this, t, t.stream()).start(); // the backend refused the upgrade: pass its answer on
            return;
        }
        upstreamNanos = System.nanoTime() - t.startNanos; // the handshake is the measured part
        WebSocketUpgrade.complete(this, t, response);
    }

    void tryTimedOut(UpstreamTry t) {
        if (!isCurrent(t) || responseStarted) return;
        t.target.meters.timedOut(RouteMeters.Timeout.BACKEND_REQUEST);
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
        upstreamNanos = System.nanoTime() - t.startNanos;
        finish();
    }

    // ---- retries and timeouts --------------------------------------------------------------

    /**
     * Retries need an idempotent method and nothing sent downstream yet; a body read whole is sent
     * again, but once a larger body started streaming it cannot be replayed.
     */
    private boolean mayRetry(boolean afterConnect) {
        if (retriesLeft <= 0 || responseStarted || finished || websocket) return false;
        if (afterConnect && hasBody && wholeBody == null) return false;
        if (bodyStarted) return false;
        return isIdempotent(request.method());
    }

    private void retry(Endpoint failed, RouteMeters.RetryReason why) {
        retriesLeft--;
        retried++;
        target.meters.retried(why);
        // The failed try is over for the exchange (a draining response finishes on its own), so a
        // client leaving during the backoff must not reset its connection.
        current = null;
        if (route.limits.retryBackoffMs > 0) {
            backoffTimer = server.vertx().setTimer(route.limits.retryBackoffMs, id -> {
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
        Runnable handler = handlerAbort;
        handlerAbort = null;
        if (handler != null) handler.run();
    }

    private void requestTimedOut() {
        requestTimer = -1;
        if (finished) return;
        (target != null ? target.meters : route.unserved()).timedOut(RouteMeters.Timeout.REQUEST);
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
        if (!responseStarted) {
            int answered = Http1Guard.answeredStatus(request); // the edge's 408 or 400 to a stalled or broken body
            status = answered != 0 ? answered : CLIENT_CLOSED;
        }
        finish();
    }

    // ---- ending ----------------------------------------------------------------------------

    /** Answers with a short plain-text error (a handler's: JSON), unless the response already started (then it is cut). */
    private void fail(int errorStatus, String body) {
        if (handlerErrors != null) {
            failWith(errorStatus, handlerErrors.apply(errorStatus, body.strip()), null);
            return;
        }
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

    // ---- for Pier's own handlers (LocalHandler): they answer instead of a backend ----------

    /**
     * The exchange is a handler's from now on: {@code abort} ends the handler's work when the
     * exchange ends early (timeout, client gone), and {@code errors} writes the body of every error
     * answer, the exchange's own (504) included.
     */
    void handledLocally(Runnable abort, BiFunction<Integer, String, Buffer> errors) {
        this.handlerAbort = abort;
        this.handlerErrors = errors;
    }

    /**
     * The Service a handler calls (the rpc handler's, the event handler's sink): the exchange is then
     * counted in that Service's meters, access-log line and span, as a forwarded request is.
     */
    void handlerTarget(Target handlerTarget) {
        this.target = handlerTarget;
    }

    /** A handler's call to {@code endpoint} starts: the endpoint and, once {@link #handlerCallEnded}, its time are the upstream's. */
    void handlerCalling(Endpoint endpoint) {
        upstreamEndpoint = endpoint;
        handlerCallStart = System.nanoTime();
    }

    void handlerCallEnded() {
        if (handlerCallStart != 0) upstreamNanos = System.nanoTime() - handlerCallStart;
    }

    /** Whether the exchange is over (answered, timed out, client gone): a handler's late callback does nothing then. */
    boolean over() {
        return finished;
    }

    /**
     * The whole request body, for a handler that reads it before answering; fails with
     * {@link BodyTooLarge} when it is longer than {@code handlerLimit} or the route's
     * {@code maxRequestBodySize}, whichever is smaller (a Content-Length saying so fails at once,
     * and nothing more is read).
     */
    Future<Buffer> readBody(int handlerLimit) {
        if (bodyRead) return Future.succeededFuture(Buffer.buffer()); // the head said no body
        int limit = maxBody > 0 ? (int) Math.min(handlerLimit, maxBody) : handlerLimit;
        bodyRead = true;
        bodyStarted = true;
        Buffer collected = Buffer.buffer();
        if (RequestBody.declaredLength(request) > limit) {
            leaveBodyUnread();
            return Future.failedFuture(new BodyTooLarge(limit));
        }
        Promise<Buffer> body = Promise.promise();
        request.handler(chunk -> {
            if (collected.length() + chunk.length() > limit) {
                leaveBodyUnread();
                body.tryFail(new BodyTooLarge(limit));
                return;
            }
            collected.appendBuffer(chunk);
        });
        request.endHandler(v -> body.tryComplete(collected));
        request.resume();
        return body.future();
    }

    /** A request body over a handler's limit. */
    static final class BodyTooLarge extends Exception {
        final int limit;

        BodyTooLarge(int limit) {
            super("the request body exceeds " + limit + " bytes", null, false, false);
            this.limit = limit;
        }
    }

    /**
     * How long a handler's call to a backend may take: the per-try bound (the route's
     * {@code backendRequest}, else the data plane's default), cut to what is left of the route's
     * {@code request} timeout. Always positive: a handler never waits without a bound.
     */
    long handlerCallTimeoutMs() {
        long ms = tryTimeoutMs();
        if (ms <= 0) ms = server.backendTimeoutMs() > 0 ? server.backendTimeoutMs() : 60_000;
        if (route.limits.requestTimeoutMs > 0) {
            long left = route.limits.requestTimeoutMs - (System.nanoTime() - startNanos) / 1_000_000L;
            ms = Math.min(ms, left);
        }
        return Math.max(1, ms);
    }

    /** A handler's answer: the route's response filters, HSTS and the Server header apply as to a backend's. */
    void answer(int answerStatus, MultiMap headers, Buffer body) {
        if (finished) return;
        handlerAbort = null;
        HttpServerResponse response = request.response();
        response.setStatusCode(answerStatus);
        response.headers().addAll(headers);
        server.serverHeader().addIfAbsent(response.headers());
        route.addHsts(request, response.headers());
        filterResponse(response.headers(), route.filters.length);
        drainUnreadBody();
        responseStarted(answerStatus);
        response.end(body).onComplete(ar -> finish());
    }

    /**
     * A handler's error answer, as Pier's own errors are answered: no filters; the body is the
     * handler's (JSON), {@code extra} headers (may be null) go with it.
     */
    void failWith(int errorStatus, Buffer body, MultiMap extra) {
        if (finished) return;
        handlerAbort = null;
        HttpServerResponse response = request.response();
        if (responseStarted || response.headWritten()) {
            response.reset();
            finish();
            return;
        }
        drainUnreadBody();
        responseStarted(errorStatus);
        boolean closeAfter = bodyLeftUnread;
        ErrorAnswer.sendJson(request, errorStatus, body, extra, server.serverHeader(), route).onComplete(ar -> {
            if (closeAfter) closeUnreadBody();
            finish();
        });
    }

    /**
     * A body over a handler's limit is not kept: HTTP/1 reads and drops the rest (as for any answer
     * that does not read the body, so the client reads the answer and the connection carries the
     * next request); HTTP/2 resets the stream once the answer is complete ({@link #closeUnreadBody}).
     */
    private void leaveBodyUnread() {
        if (request.version() == HttpVersion.HTTP_2) {
            request.handler(null).endHandler(null);
            bodyLeftUnread = true;
        } else {
            RequestBody.discard(request);
        }
    }

    /** HTTP/2: the rest of the body is refused with RST_STREAM NO_ERROR after the complete answer (RFC 9113 section 8.1). */
    private void closeUnreadBody() {
        if (!request.isEnded()) request.response().reset(0);
    }

    /** A body nobody will read is drained, so an HTTP/1 connection can carry the next request. */
    private void drainUnreadBody() {
        if (hasBody && !bodyStarted && wholeBody == null) {
            bodyStarted = true;
            bodyRead = true;
            firstPart = null;
            RequestBody.discard(request);
        }
    }

    /** The exchange is over (for a websocket: its handshake); runs once. */
    void finish() {
        if (finished) return;
        finished = true;
        if (requestTimer >= 0) server.vertx().cancelTimer(requestTimer);
        if (backoffTimer >= 0) server.vertx().cancelTimer(backoffTimer);
        server.recorder().ended(this);
    }

    // ---- what the recorder reads once the exchange ended --------------------------------------

    /** The Service the split or the resolver chose; null when none was. */
    Target target() {
        return target;
    }

    int status() {
        return status;
    }

    int retries() {
        return retried;
    }

    String requestId() {
        return requestId;
    }

    Endpoint upstreamEndpoint() {
        return upstreamEndpoint;
    }

    long upstreamNanos() {
        return upstreamNanos;
    }

    static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
    }
}
