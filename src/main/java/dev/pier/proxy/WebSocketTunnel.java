package dev.pier.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * A websocket after its handshake: bytes both ways with backpressure, on one event loop. The
 * backend-to-client direction is followed frame by frame, so that when Pier drains it can end
 * the tunnel with a close frame (1001, going away) between two frames instead of a bare close.
 */
final class WebSocketTunnel {
    private final NetSocket client;
    private final NetSocket backend;
    private final WebSocketFrames toClient = new WebSocketFrames();
    private boolean goingAway;

    private WebSocketTunnel(NetSocket client, NetSocket backend) {
        this.client = client;
        this.backend = backend;
    }

    /** Joins the two sockets; {@code onClosed} runs once the backend side is closed. */
    static void start(ProxyServer server, NetSocket client, NetSocket backend, Runnable onClosed) {
        WebSocketTunnel tunnel = new WebSocketTunnel(client, backend);
        client.pipeTo(backend);
        backend.handler(tunnel::fromBackend);
        backend.endHandler(v -> client.end());
        backend.exceptionHandler(e -> client.close());
        backend.closeHandler(v -> {
            client.close();
            onClosed.run();
        });
        client.closeHandler(v -> backend.close());
        // A server shutdown (a drain) lets the tunnel live on until the drain's end, when
        // ProxyServer calls goAway(); without this handler Vert.x would close it at once.
        client.shutdownHandler(timeout -> server.tunnelDraining(tunnel));
    }

    private void fromBackend(Buffer chunk) {
        if (goingAway) {
            int end = toClient.toBoundary(chunk, 0);
            if (end > 0) client.write(end == chunk.length() ? chunk : chunk.slice(0, end));
            if (toClient.atBoundary()) closeWithFrame();
            return;
        }
        client.write(chunk);
        toClient.advance(chunk);
        if (client.writeQueueFull()) {
            backend.pause();
            client.drainHandler(v -> backend.resume());
        }
    }

    /** Ends the tunnel: a close frame to the client as soon as the frame in flight (if any) is through. */
    void goAway() {
        if (goingAway) return;
        goingAway = true;
        if (toClient.atBoundary()) closeWithFrame();
        // else the backend's next bytes complete the frame; fromBackend sends the close frame then
    }

    private void closeWithFrame() {
        backend.handler(chunk -> { });
        client.write(WebSocketFrames.GOING_AWAY.copy());
        backend.close(); // its close handler closes the client once the frame is written
    }
}
