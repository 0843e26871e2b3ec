package dev.pier.proxy;

import dev.pier.model.Endpoint;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.net.HostAndPort;

/**
 * One try against one endpoint: asks this event loop's pool for a connection, writes the request
 * head, bounds the wait for the response head, and gives the endpoint back to its balancer exactly
 * once. Every outcome goes to the {@link Exchange}, which decides what follows (retry, answer,
 * relay); a try the exchange moved on from cleans up after itself.
 */
final class UpstreamTry {
    private final Exchange exchange;
    final Target target;
    final Endpoint endpoint;
    /** When this try asked for a connection. */
    final long startNanos = System.nanoTime();
    /** The request to the backend, once connected. */
    private HttpClientRequest request;
    private long timer = -1;
    private boolean released;

    UpstreamTry(Exchange exchange, Target target, Endpoint endpoint) {
        this.exchange = exchange;
        this.target = target;
        this.endpoint = endpoint;
    }

    void open() {
        ProxyServer server = exchange.server;
        long connect = exchange.route.connectTimeoutMs > 0 ? exchange.route.connectTimeoutMs : server.connectTimeoutMs();
        // The target's protocol picks the client (HTTP/1.1, h2c, TLS); each pools per endpoint.
        server.clients().of(target.protocol)
                .request(exchange.upstream().options(endpoint, server.socketAddress(endpoint), connect, target.protocol))
                .onComplete(this::connected);
    }

    private void connected(AsyncResult<HttpClientRequest> ar) {
        if (!exchange.isCurrent(this)) {
            release();
            if (ar.succeeded()) ar.result().reset();
            return;
        }
        if (ar.failed()) {
            release();
            // A full wait queue says nothing about the endpoint: only real connect failures count.
            if (!(ar.cause() instanceof ConnectionPoolTooBusyException)) target.health.failed(endpoint);
            exchange.connectFailed(this, ar.cause());
            return;
        }
        request = ar.result();
        HostAndPort authority = exchange.upstream().authority();
        if (authority != null) request.authority(authority);
        long timeout = exchange.tryTimeoutMs();
        if (timeout > 0) {
            timer = exchange.server.vertx().setTimer(timeout, id -> {
                timer = -1;
                if (exchange.isCurrent(this)) target.health.failed(endpoint);
                exchange.tryTimedOut(this);
            });
        }
        if (exchange.websocket) {
            request.connect().onComplete(res -> answered(res, true));
            request.end();
            return;
        }
        request.response().onComplete(res -> answered(res, false));
        exchange.connected(this);
    }

    private void answered(AsyncResult<HttpClientResponse> ar, boolean upgrade) {
        if (!exchange.isCurrent(this)) {
            release();
            return;
        }
        stopTimer();
        if (ar.failed() || ar.result().statusCode() >= 500) target.health.failed(endpoint);
        else target.health.succeeded(endpoint);
        if (upgrade) exchange.upgraded(this, ar);
        else exchange.responded(this, ar);
    }

    /** The connected request; null before. */
    HttpClientRequest request() {
        return request;
    }

    /** Reads and drops a response nobody will relay, so its connection goes back to the pool. */
    void discard(HttpClientResponse response) {
        response.handler(buffer -> { });
        response.end().onComplete(x -> release());
    }

    /** Gives the endpoint back to its balancer; only the first call counts. */
    void release() {
        if (released) return;
        released = true;
        stopTimer();
        target.balancer.release(endpoint);
    }

    /** Ends the try at once: released, and its stream (for HTTP/1, its connection) reset. */
    void abort() {
        release();
        if (request != null) request.reset();
    }

    private void stopTimer() {
        if (timer >= 0) {
            exchange.server.vertx().cancelTimer(timer);
            timer = -1;
        }
    }
}
