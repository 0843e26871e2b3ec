package dev.pier.proxy;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.http1.Http1ServerConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;

/**
 * The one place a client-facing listener gets its edge: server options from an {@link EdgePolicy}
 * (header and line limits, HTTP/2 settings, PROXY protocol) and, per connection, the guards
 * ({@link Http1Guard} for HTTP/1, an idle bound for HTTP/2) and Pier's answer to a refused head.
 * The cleartext and the TLS listener both build theirs here; the connection limit and the first
 * handler of each connection come from the port's accept gate ({@link EdgeTransport}).
 */
public final class Listener {

    /** Flushes deferred at most this many writes on an HTTP/2 connection before one goes out at once. */
    private static final int H2_FLUSH_AFTER_WRITES = 64;

    private Listener() {
    }

    /**
     * The options both proxy listeners share: framing, limits, HTTP/2 settings, PROXY protocol.
     * The HTTPS listener is these plus TLS ({@link HttpsSetup#apply}), nothing else.
     */
    public static HttpServerOptions serverOptions(EdgePolicy policy) {
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(true)
                .setTcpNoDelay(true)
                // Every write to a downstream response happens on the server instance's event loop (the
                // upstream clients and timers live on it too), so writes may skip Vert.x's outbound queue.
                .setStrictThreadMode(true)
                .setMaxHeaderSize(policy.maxHeaderBytes())
                .setMaxInitialLineLength(policy.maxRequestLineBytes())
                .setHandle100ContinueAutomatically(true)
                .setDecompressionSupported(false)
                .setCompressionSupported(false)
                // Websockets are tunnelled as bytes (WebSocketUpgrade): their extensions are the backend's to
                // agree, so Vert.x's extension handler, otherwise in every HTTP/1 pipeline, is left out.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setInitialSettings(new Http2Settings()
                        .setMaxConcurrentStreams(policy.maxConcurrentStreams())
                        .setMaxHeaderListSize(policy.maxHeaderBytes()));
        if (policy.proxyProtocol()) {
            options.setUseProxyProtocol(true).setProxyProtocolTimeout(policy.requestHeadersTimeout().toMillis())
                    .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
        }
        return options;
    }

    /**
     * Installs the per-connection edge on {@code server}: answers refused heads, bounds idle HTTP/2
     * connections, and guards HTTP/1 connections that {@link ConnectionStart} could not (a TLS port
     * reports them after the handshake, before any request byte). Call before {@code listen}; the
     * port's accept gate is registered with {@link EdgeTransport} by the caller once it is bound.
     */
    static void guard(HttpServer server, EdgePolicy policy, String serverHeader, ObjIntConsumer<HttpServerRequest> refused) {
        ServerHeader header = new ServerHeader(serverHeader);
        server.invalidRequestHandler(request -> refuse(request, header, refused));
        server.connectionHandler(connection -> {
            ChannelPipeline pipeline = ((ConnectionBase) connection).channel().pipeline();
            ConnectionStart start = (ConnectionStart) pipeline.get(ConnectionStart.NAME);
            if (connection instanceof Http1ServerConnection) {
                if (pipeline.get(Http1Guard.NAME) == null && start != null) {
                    start.guard(Http1Guard.install(pipeline, policy, serverHeader, start.acceptedNanos(), start.recorder()));
                }
            } else {
                if (start != null) start.decided();
                if (pipeline.get(Http1Guard.NAME) != null) pipeline.remove(Http1Guard.NAME); // upgraded from HTTP/1 (h2c)
                long idle = policy.http2IdleTimeout().toMillis();
                pipeline.addBefore("handler", "pier-h2-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
                // Responses are written from backend reads, so Vert.x flushes each alone: one write (and over TLS one
                // record) per response. Flushed once per event-loop pass instead, the responses of one pass share them.
                pipeline.addBefore("handler", "pier-h2-flush", new FlushConsolidationHandler(H2_FLUSH_AFTER_WRITES, true));
            }
        });
    }

    /**
     * Pier's answer to a refused head: the status its reason carries, one line, and the connection
     * closed; {@code refused} is told (meters, access log).
     */
    static void refuse(HttpServerRequest request, ServerHeader header, ObjIntConsumer<HttpServerRequest> refused) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String body;
        if (cause instanceof EdgeRejection r && r.status == 0) {
            request.connection().close(); // nothing HTTP/1 to answer
            return;
        } else if (cause instanceof EdgeRejection r) {
            status = r.status;
            body = r.getMessage() + "\n";
        } else if (cause instanceof TooLongHttpLineException) {
            status = 414;
            body = "request line too long\n";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            body = "request header fields too large\n";
        } else {
            status = 400;
            body = "malformed request\n";
        }
        ErrorAnswer.refuse(request, status, body, header);
        refused.accept(request, status);
    }
}
