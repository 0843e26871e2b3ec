package dev.pier.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.Http1ServerConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.http1.VertxHttpObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The edge of one HTTP/1 connection, in its Netty pipeline between the codec and Vert.x: refuses
 * heads {@link RequestFraming} finds unsound (marked as decoder failures, so Vert.x hands them to
 * {@link Listener}'s answer and never to routing), answers a body whose chunk framing breaks, and
 * keeps the connection's client-facing clocks: a head must be complete within
 * {@code requestHeadersTimeout} of its first byte (408), a body may pause at most
 * {@code clientBodyTimeout} (408), an idle keep-alive connection lives {@code keepAliveTimeout},
 * a websocket {@code websocketIdleTimeout} without a frame. One timer per connection, moved lazily.
 */
final class Http1Guard extends ChannelDuplexHandler {
    static final String NAME = "pier-edge";
    /** Vert.x's name for the HTTP/1 request decoder in a connection's pipeline. */
    static final String DECODER = "httpDecoder";
    private static final String ENCODER = "httpEncoder";

    private final long headersNanos;
    private final long keepAliveNanos;
    private final long bodyNanos;
    private long websocketNanos;
    private final int maxHeaderCount;
    private final String serverHeader;
    /** Where an answer given with no request in Vert.x's hands (a head timeout) is counted. */
    private final ExchangeRecorder recorder;
    /** The status the guard answered a request's body with (408, 400), for the exchange that then sees its client go. */
    private static final AttributeKey<Integer> ANSWERED = AttributeKey.valueOf("pier-edge-answered");

    // Connection state, only touched on the connection's event loop.
    private ChannelHandlerContext ctx;
    /** Request heads read whose response has not ended. */
    private int inFlight;
    private boolean bodyOpen;
    private boolean headStarted;
    private long headStart;
    private long lastRead;
    private long lastActivity;
    private boolean responseStarted;
    private boolean websocket;
    /**
     * A request was refused: the connection closes after its answer, and nothing read after it
     * (its body, or what a lax parser would take for another request) goes further.
     */
    private boolean rejecting;
    private ScheduledFuture<?> timer;
    private long timerAt;
    private final EdgePolicy policy;
    /** The first request asked for h2c with no body: {@link H2Front} takes the connection at its end. */
    private H2cUpgrade h2cUpgrade;

    /** @param headStart when the first head's clock started (the connection's accept) */
    Http1Guard(EdgePolicy policy, String serverHeader, long headStart, ExchangeRecorder recorder) {
        this.recorder = recorder;
        this.policy = policy;
        this.headersNanos = policy.requestHeadersTimeout().toNanos();
        this.keepAliveNanos = policy.keepAliveTimeout().toNanos();
        this.bodyNanos = policy.clientBodyTimeout().toNanos();
        this.websocketNanos = policy.websocketIdleTimeout().toNanos();
        this.maxHeaderCount = policy.maxHeaderCount();
        this.serverHeader = serverHeader;
        long now = System.nanoTime();
        this.lastActivity = now;
        this.lastRead = now;
        this.headStarted = true;
        this.headStart = headStart;
    }

    /**
     * Puts the strict decoder in place of Vert.x's (before it parsed anything) and the guard
     * behind the codec; returns the guard.
     */
    static Http1Guard install(ChannelPipeline pipeline, EdgePolicy policy, String serverHeader, long headStart,
                              ExchangeRecorder recorder) {
        Http1ServerConfig config = new Http1ServerConfig()
                .setMaxInitialLineLength(policy.maxRequestLineBytes())
                .setMaxHeaderSize(policy.maxHeaderBytes())
                .setMaxChunkSize(HttpServerOptions.DEFAULT_MAX_CHUNK_SIZE)
                .setDecoderInitialBufferSize(HttpServerOptions.DEFAULT_DECODER_INITIAL_BUFFER_SIZE);
        pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(config));
        Http1Guard guard = new Http1Guard(policy, serverHeader, headStart, recorder);
        pipeline.addAfter(ENCODER, NAME, guard);
        return guard;
    }

    /** The status the guard answered {@code request}'s body with before closing (408, 400), else 0. */
    static int answeredStatus(io.vertx.core.http.HttpServerRequest request) {
        io.netty.channel.Channel channel = channel(request);
        if (channel == null) return 0;
        Integer status = channel.attr(ANSWERED).get();
        return status == null ? 0 : status;
    }

    /** The HTTP/1 connection under a request, on Vert.x's server or on {@link H1Front}; null for HTTP/2. */
    private static io.netty.channel.Channel channel(io.vertx.core.http.HttpServerRequest request) {
        if (request.connection() instanceof H1Front.Front f) return f.channel();
        if (request.connection() instanceof io.vertx.core.net.impl.ConnectionBase c) return c.channel();
        return null;
    }

    /** A route's own websocket idle bound for the tunnel this HTTP/1 request becomes. */
    static void websocketIdle(io.vertx.core.http.HttpServerRequest request, long millis) {
        io.netty.channel.Channel channel = channel(request);
        if (channel != null && channel.pipeline().get(NAME) instanceof Http1Guard guard) {
            guard.websocketNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        arm();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }

    /** Bytes arrived (seen ahead of the decoder): a head that starts now starts its clock now. */
    void rawRead() {
        long now = System.nanoTime();
        lastRead = now;
        if (websocket) {
            lastActivity = now;
        } else if (inFlight == 0 && !bodyOpen && !headStarted) {
            headStarted = true;
            headStart = now;
            arm();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejecting) {
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent) bodyOpen = false;
            return;
        }
        if (msg instanceof HttpRequest request) {
            headStarted = false;
            inFlight++;
            if (request.decoderResult().isFailure()) {
                rejecting = true; // the decoder's own reason stands (a line or header too long: 414, 431)
            } else {
                EdgeRejection rejection = RequestFraming.check(request, maxHeaderCount);
                if (rejection != null) {
                    request.setDecoderResult(DecoderResult.failure(rejection));
                    rejecting = true;
                }
            }
            if (!rejecting && H2cUpgrade.asked(request) && holdH2cUpgrade(ctx, request)) return;
            bodyOpen = !(msg instanceof LastHttpContent);
            lastRead = System.nanoTime();
            arm();
            ctx.fireChannelRead(msg);
            return;
        }
        if (h2cUpgrade != null && msg instanceof HttpContent) { // the upgrade's end (it has no body)
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent) switchToH2c(ctx);
            return;
        }
        if (msg instanceof HttpContent content) {
            lastRead = System.nanoTime();
            boolean last = msg instanceof LastHttpContent;
            if (content.decoderResult().isFailure()) {
                // A chunk size that does not parse: the body cannot be framed, so neither can anything after it.
                ReferenceCountUtil.release(msg);
                bodyOpen = false;
                answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request body framing\n");
                return;
            }
            if (last) bodyOpen = false;
            ctx.fireChannelRead(msg);
            return;
        }
        if (websocket) lastActivity = System.nanoTime();
        ctx.fireChannelRead(msg);
    }

    /**
     * A request asking for {@code Upgrade: h2c}: true when it is held for {@link H2Front}, which takes
     * the connection at its end. Else it goes on to Vert.x as HTTP/1.1 (with the front off, Vert.x's
     * server answers the upgrade as before): refused (400) when it asks wrongly, or with its Upgrade
     * dropped when Pier does not switch for it (a body, not the connection's first request).
     */
    private boolean holdH2cUpgrade(ChannelHandlerContext ctx, HttpRequest request) {
        if (!H2Front.enabled() || ctx.pipeline().get(H2cUpgrade.VERTX_HANDLER) == null || !H2Front.servesUpgrade(ctx.channel())) {
            return false;
        }
        H2cUpgrade upgrade;
        try {
            upgrade = H2cUpgrade.read(request);
        } catch (EdgeRejection e) {
            request.setDecoderResult(DecoderResult.failure(e));
            rejecting = true;
            upgrade = null;
        }
        if (upgrade == null) {
            request.headers().remove(HttpHeaderNames.UPGRADE); // Vert.x's handler would switch for it on its own
            return false;
        }
        h2cUpgrade = upgrade;
        if (request instanceof LastHttpContent) switchToH2c(ctx);
        return true;
    }

    /** The held upgrade request has ended: the 101, then the connection is {@link H2Front}'s and the request its stream 1. */
    private void switchToH2c(ChannelHandlerContext ctx) {
        H2cUpgrade upgrade = h2cUpgrade;
        h2cUpgrade = null;
        if (ctx.pipeline().get(ConnectionStart.NAME) instanceof ConnectionStart start) start.upgradedToH2c();
        boolean taken = H2Front.upgrade(ctx.channel(), DECODER, () -> {
            FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
            switching.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(HttpHeaderNames.UPGRADE, "h2c");
            ctx.write(switching);
        }, upgrade.settings, upgrade.headers, policy);
        if (!taken) ctx.close(); // checked before it was held: only a proxy instance stopped in between
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            responseStarted = true;
            if (response.status().code() == 101) websocket = true;
        }
        if (websocket) {
            lastActivity = System.nanoTime();
        } else if (msg instanceof LastHttpContent || (msg instanceof VertxHttpObject v && v.isEnded())) {
            if (inFlight > 0) inFlight--;
            responseStarted = false;
            lastActivity = System.nanoTime();
            arm();
        }
        ctx.write(msg, promise);
    }

    // ---- the clock -----------------------------------------------------------------------------

    /** When the connection's current wait runs out; Long.MAX_VALUE while Pier owes the client an answer. */
    private long deadline() {
        if (websocket) return Math.max(lastActivity, lastRead) + websocketNanos;
        if (bodyOpen) return lastRead + bodyNanos;
        if (inFlight > 0) return Long.MAX_VALUE; // the route's own timeouts bound the wait for a backend
        if (headStarted) return headStart + headersNanos;
        return lastActivity + keepAliveNanos;
    }

    private void arm() {
        if (ctx == null) return;
        long at = deadline();
        if (at == Long.MAX_VALUE) return; // a running timer finds that on firing
        if (timer != null && timerAt <= at) return;
        cancelTimer();
        timerAt = at;
        timer = ctx.executor().schedule(this::fired, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fired() {
        timer = null;
        if (!ctx.channel().isActive()) return;
        long at = deadline();
        if (at == Long.MAX_VALUE) return;
        if (System.nanoTime() < at) {
            arm();
            return;
        }
        if (websocket) {
            ctx.close();
        } else if (bodyOpen) {
            if (responseStarted) ctx.close();
            else answerAndClose(HttpResponseStatus.REQUEST_TIMEOUT, "request body timed out\n");
        } else if (headStarted && inFlight == 0) {
            answerAndClose(HttpResponseStatus.REQUEST_TIMEOUT, "request headers timed out\n");
        } else {
            ctx.close(); // keep-alive idle: nothing was asked, nothing to answer
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Pier's own answer, written under Vert.x (which may still think the request is open), then the close. */
    private void answerAndClose(HttpResponseStatus status, String body) {
        cancelTimer();
        rejecting = true;
        if (responseStarted || !ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        responseStarted = true;
        // Who counts it: the exchange reading this body, or (no request in flight) the no-route meter.
        if (inFlight > 0) ctx.channel().attr(ANSWERED).set(status.code());
        else if (recorder != null) recorder.refusedAtEdge(status.code());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, ErrorAnswer.TEXT_PLAIN)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (!serverHeader.isEmpty()) response.headers().set(HttpHeaderNames.SERVER, serverHeader);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
