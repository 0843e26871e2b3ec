package dev.pier.proxy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.Endpoint;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.net.HostAndPort;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One try against one endpoint: gets a connection (Pier's own pool for HTTP/1.1 to an address,
 * else Vert.x's client), has the request sent, bounds the wait for the response head, and gives
 * the endpoint back to its balancer exactly once. Every outcome goes to the {@link Exchange}, which
 * decides what follows (retry, answer, relay); a try the exchange moved on from cleans up after itself.
 */
final class UpstreamTry implements BackendPool.Waiter, BackendStream.Listener {
    private final Exchange exchange;
    final Target target;
    final Endpoint endpoint;
    /** When this try asked for a connection. */
    final long startNanos = System.nanoTime();
    /** The request and response, once connected. */
    private BackendStream stream;
    /** A websocket upgrade's request (Vert.x's client carries upgrades), once connected. */
    private HttpClientRequest upgrade;
    /** The wait for a pooled connection, while it lasts. */
    private BackendPool.Ask ask;
    private String fallbackHost;
    /** The bound on the wait for the response head, on the event loop (see {@link ProxyServer#eventLoop}). */
    private ScheduledFuture<?> timer;
    private boolean released;

    UpstreamTry(Exchange exchange, Target target, Endpoint endpoint) {
        this.exchange = exchange;
        this.target = target;
        this.endpoint = endpoint;
    }

    void open() {
        ProxyServer server = exchange.server;
        long connect = exchange.route.limits.connectTimeoutMs > 0 ? exchange.route.limits.connectTimeoutMs : server.connectTimeoutMs();
        UpstreamRequest upstream = exchange.upstream();
        if (target.protocol instanceof BackendProtocol.Http1 && !exchange.websocket) {
            BackendPool.Endpoints pool = server.clients().http1Pool().of(endpoint);
            if (pool != null) {
                upstream.teFor(target.protocol);
                fallbackHost = pool.hostHeader;
                ask = pool.acquire(this, connect);
                return;
            }
        }
        // The target's protocol picks the client (HTTP/1.1, h2c, TLS); each pools per endpoint.
        server.clients().of(target.protocol)
                .request(upstream.options(endpoint, server.socketAddress(endpoint), connect, target.protocol))
                .onComplete(this::connected);
    }

    // ---- a connection from Pier's pool ---------------------------------------------------------

    @Override
    public void acquired(BackendConnection connection) {
        ask = null;
        if (!exchange.isCurrent(this)) {
            release();
            connection.pool.recycle(connection);
            return;
        }
        stream = connection.open(exchange.upstream(), fallbackHost, this);
        ready();
    }

    @Override
    public void connectFailed(Throwable cause) {
        ask = null;
        release();
        if (!exchange.isCurrent(this)) return;
        // A full wait queue says nothing about the endpoint: only real connect failures count.
        if (!(cause instanceof ConnectionPoolTooBusyException)) target.health.failed(endpoint);
        exchange.connectFailed(this, cause);
    }

    // ---- a request from Vert.x's client --------------------------------------------------------

    private void connected(AsyncResult<HttpClientRequest> ar) {
        if (!exchange.isCurrent(this)) {
            release();
            if (ar.succeeded()) ar.result().reset();
            return;
        }
        if (ar.failed()) {
            connectFailed(ar.cause());
            return;
        }
        HttpClientRequest request = ar.result();
        HostAndPort authority = exchange.upstream().authority();
        if (authority != null) request.authority(authority);
        if (exchange.websocket) {
            upgrade = request;
            startTimer();
            request.connect().onComplete(this::upgradeAnswered);
            request.end();
            return;
        }
        stream = new VertxBackendStream(request, this);
        ready();
    }

    private void upgradeAnswered(AsyncResult<HttpClientResponse> ar) {
        if (!exchange.isCurrent(this)) {
            release();
            return;
        }
        stopTimer();
        if (ar.failed() || ar.result().statusCode() >= 500) target.health.failed(endpoint);
        else target.health.succeeded(endpoint);
        // a refusal (not 101) is relayed like any response
        if (ar.succeeded() && ar.result().statusCode() != 101) stream = new VertxBackendStream(upgrade, ar.result());
        exchange.upgraded(this, ar);
    }

    // ---- the try's exchange ----------------------------------------------------------------------

    /** Connected: the per-try bound starts, the exchange sends the request. */
    private void ready() {
        startTimer();
        exchange.connected(this);
    }

    private void startTimer() {
        long timeout = exchange.tryTimeoutMs();
        if (timeout > 0) {
            timer = exchange.server.eventLoop().schedule(this::timedOut, timeout, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void head(BackendStream s) {
        answered(null);
    }

    @Override
    public void failed(Throwable cause) {
        answered(cause); // before the head: the relay listens after it
    }

    @Override
    public void chunk(Buffer chunk) {
        stream.written(chunk); // only before a relay took over, which cannot be
    }

    @Override
    public void end(Buffer last) {
        if (last != null) stream.written(last);
    }

    private void answered(Throwable failure) {
        if (!exchange.isCurrent(this)) {
            release();
            stream.reset();
            return;
        }
        stopTimer();
        if (failure != null || stream.status() >= 500) target.health.failed(endpoint);
        else target.health.succeeded(endpoint);
        exchange.responded(this, failure);
    }

    /** The request and response of this try; null before it connected. */
    BackendStream stream() {
        return stream;
    }

    /** Reads and drops a response nobody will relay, so its connection goes back to the pool. */
    void discard() {
        stream.discard(this::release);
    }

    /** Gives the endpoint back to its balancer; only the first call counts. */
    void release() {
        if (released) return;
        released = true;
        stopTimer();
        target.balancer.release(endpoint);
    }

    /** Ends the try at once: released, its wait for a connection cancelled, its stream (for HTTP/1, its connection) reset. */
    void abort() {
        release();
        if (ask != null) {
            ask.cancel();
            ask = null;
        }
        if (stream != null) stream.reset();
        else if (upgrade != null) upgrade.reset();
    }

    private void timedOut() {
        timer = null;
        if (exchange.isCurrent(this)) target.health.failed(endpoint);
        exchange.tryTimedOut(this);
    }

    private void stopTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
