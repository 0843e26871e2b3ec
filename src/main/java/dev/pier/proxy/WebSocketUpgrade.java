package dev.pier.proxy;

import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;

/**
 * A backend's {@code 101} to a websocket upgrade: the 101 goes to the client, then the two
 * connections become one {@link WebSocketTunnel}. The handshake is the measured exchange; the
 * tunnel lives on after it.
 */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {
    }

    static void complete(Exchange exchange, UpstreamTry t, HttpClientResponse upstream) {
        HttpServerResponse response = exchange.request.response();
        exchange.responseStarted(101);
        response.setStatusCode(101);
        response.headers().addAll(upstream.headers());
        exchange.server.serverHeader().addIfAbsent(response.headers());
        if (exchange.route.limits.websocketIdleMs > 0) Http1Guard.websocketIdle(exchange.request, exchange.route.limits.websocketIdleMs);
        exchange.request.toNetSocket().onComplete(down -> {
            NetSocket up = upstream.netSocket();
            if (down.failed()) {
                up.close();
                t.release();
                exchange.finish();
                return;
            }
            WebSocketTunnel.start(exchange.server, down.result(), up, t::release);
            exchange.finish();
        });
    }
}
