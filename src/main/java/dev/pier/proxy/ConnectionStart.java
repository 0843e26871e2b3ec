package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of every connection on a guarded port, from the moment it is accepted: the
 * request-head clock runs until the connection has said which protocol it speaks; on a cleartext
 * port, the first byte that cannot start the HTTP/2 preface makes it HTTP/1, and Vert.x's decoder is
 * swapped for {@link StrictRequestDecoder} before it parses anything, with an {@link Http1Guard}
 * behind it. After that it tells the guard that bytes arrived (a head's clock starts there); on an
 * HTTP/2 connection it reads the frame headers for {@link H2StreamOrder}.
 */
final class ConnectionStart extends ChannelInboundHandlerAdapter {
    static final String NAME = "pier-edge-start";
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIMED_OUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 26\r\nConnection: close\r\n\r\nrequest headers timed out\n").getBytes(StandardCharsets.US_ASCII);

    private final EdgeTransport.PortEdge edge;
    private final long accepted = System.nanoTime();
    private ScheduledFuture<?> timer;
    private int prefaceMatched;
    private boolean decided;
    private Http1Guard guard;
    /** With PROXY protocol on: the header's bytes so far, until its length is known (then Vert.x's decoder reads it). */
    private ByteBuf proxyHeader;
    private boolean proxyHeaderPassed;
    private static final int PROXY_V2_FIXED = 16;
    /** Set once the connection speaks HTTP/2: checks what Netty answers only with a stream reset. */
    private H2StreamOrder streams;
    /** After an {@code Upgrade: h2c} went to {@link H2Front}: how much of the client's preface has passed; -1 otherwise. */
    private int upgradePreface = -1;
    /** On a TLS port with {@link H2Front} on: the handshake's end is watched for ALPN h2. */
    private boolean tlsWatched;

    ConnectionStart(EdgeTransport.PortEdge edge) {
        this.edge = edge;
    }

    long acceptedNanos() {
        return accepted;
    }

    /** Where this port counts what its edge answers on its own. */
    ExchangeRecorder recorder() {
        return edge.recorder();
    }

    /** The guard of this connection once it speaks HTTP/1, so raw reads start its head clock. */
    void guard(Http1Guard g) {
        guard = g;
        decided();
    }

    /**
     * The HTTP/1 guard handed the connection to {@link H2Front} on an {@code Upgrade: h2c}: raw reads no longer
     * concern it; after the client's preface, the frames go to {@link H2StreamOrder} (stream 1 already ended).
     */
    void upgradedToH2c() {
        guard = null;
        upgradePreface = 0;
    }

    /** The protocol is known and its own clocks run: this one stops. */
    void decided() {
        decided = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /**
     * Holds bytes until the PROXY protocol header is whole, passes exactly it on (Vert.x's decoder
     * reads it and sets the client's address), then reads what follows as the connection's start.
     */
    private void passProxyHeader(ChannelHandlerContext ctx, ByteBuf buf) {
        if (proxyHeader == null) proxyHeader = ctx.alloc().buffer();
        proxyHeader.writeBytes(buf);
        buf.release();
        int length = proxyHeaderLength(proxyHeader);
        if (length == 0) return; // not whole yet (v2 is at most 16 + 65535 bytes, v1 107)
        proxyHeaderPassed = true;
        ByteBuf all = proxyHeader;
        proxyHeader = null;
        if (length <= 0 || length > all.readableBytes()) { // not a PROXY header: Vert.x's decoder refuses it and closes
            ctx.fireChannelRead(all);
            return;
        }
        ctx.fireChannelRead(all.readRetainedSlice(length));
        if (all.isReadable()) channelRead(ctx, all);
        else all.release();
    }

    private static final byte[] PROXY_V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROXY_V2 = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

    /**
     * The PROXY header's length when its bytes so far tell it (v1: through its LF; v2: 16 + its
     * length field), 0 while they do not yet, -1 when they cannot start one.
     */
    static int proxyHeaderLength(ByteBuf b) {
        int start = b.readerIndex();
        int n = b.readableBytes();
        byte[] signature = n > 0 && b.getByte(start) == 'P' ? PROXY_V1 : PROXY_V2;
        for (int i = 0; i < Math.min(n, signature.length); i++) {
            if (b.getByte(start + i) != signature[i]) return -1;
        }
        if (signature == PROXY_V1) { // "PROXY ... \r\n", at most 107 bytes
            int lf = b.indexOf(start, b.writerIndex(), (byte) '\n');
            if (lf >= 0) return lf - start + 1;
            return n > 107 ? -1 : 0;
        }
        if (n < PROXY_V2_FIXED) return 0;
        int length = PROXY_V2_FIXED + b.getUnsignedShort(start + 14);
        return n >= length ? length : 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (proxyHeader != null) {
            proxyHeader.release();
            proxyHeader = null;
        }
        super.channelInactive(ctx);
    }

    /** A connection error of Pier's own: GOAWAY with the last stream the client opened, then the close. */
    private void goAway(ChannelHandlerContext ctx, int error) {
        ByteBuf frame = ctx.alloc().buffer(17);
        frame.writeMedium(8).writeByte(0x7).writeByte(0).writeInt(0);
        frame.writeInt(streams.lastStream()).writeInt(error);
        streams = null;
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long delay = edge.policy().requestHeadersTimeout().toNanos() - (System.nanoTime() - accepted);
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (decided || !ctx.channel().isActive()) return;
            // Nothing, or not enough to tell a protocol, within the head timeout.
            if (prefaceMatched == 0 && edge.cleartext()) {
                if (edge.recorder() != null) edge.recorder().refusedAtEdge(408);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMED_OUT)).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        }, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        decided();
    }

    /**
     * Once the TLS handler is in (an SNI handler replaces itself with it on the ClientHello), its handshake's
     * end is watched: ALPN h2 goes to {@link H2Front} before Vert.x hears of the handshake.
     */
    private void watchAlpn(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) return;
        tlsWatched = true;
        ssl.handshakeFuture().addListener(done -> {
            ChannelHandlerContext sslContext = ctx.pipeline().context(ssl);
            if (done.isSuccess() && sslContext != null && "h2".equals(ssl.applicationProtocol())
                    && H2Front.take(ctx.channel(), sslContext.name(), edge.policy())) {
                decided();
            }
        });
    }

    /**
     * Reads past the preface a client sends after the 101 to h2c, then starts the stream order checks. Bytes that do not
     * match it (or a preface the HTTP/1 decoder passed on itself, read with the request) end the checks: the codec answers.
     */
    private void afterUpgrade(ChannelHandlerContext ctx, ByteBuf buf) {
        int readable = buf.readableBytes();
        int same = 0;
        while (same < readable && upgradePreface + same < H2_PREFACE.length
                && buf.getByte(buf.readerIndex() + same) == H2_PREFACE[upgradePreface + same]) same++;
        if (upgradePreface + same == H2_PREFACE.length) {
            upgradePreface = -1;
            streams = new H2StreamOrder(4 * edge.policy().maxConcurrentStreams() + 16);
            streams.upgraded();
            int error = streams.feed(buf, buf.readerIndex() + same);
            if (error != 0) {
                buf.release();
                goAway(ctx, error);
                return;
            }
        } else if (same == readable) {
            upgradePreface += same;
        } else {
            upgradePreface = -1;
        }
        ctx.fireChannelRead(buf);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (streams != null && msg instanceof ByteBuf frames) {
            int error = streams.feed(frames);
            if (error != 0) {
                frames.release();
                goAway(ctx, error);
                return;
            }
            ctx.fireChannelRead(msg);
            return;
        }
        if (upgradePreface >= 0 && msg instanceof ByteBuf buf) {
            afterUpgrade(ctx, buf);
            return;
        }
        if (guard != null) {
            guard.rawRead();
            ctx.fireChannelRead(msg);
            return;
        }
        if (!edge.cleartext() && !decided && !tlsWatched && H2Front.enabled()) {
            ctx.fireChannelRead(msg);
            watchAlpn(ctx);
            return;
        }
        if (decided || !edge.cleartext() || !(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (edge.policy().proxyProtocol() && !proxyHeaderPassed) {
            passProxyHeader(ctx, buf);
            return;
        }
        int readable = buf.readableBytes();
        int same = 0;
        while (same < readable && prefaceMatched + same < H2_PREFACE.length
                && buf.getByte(buf.readerIndex() + same) == H2_PREFACE[prefaceMatched + same]) same++;
        if (prefaceMatched + same == H2_PREFACE.length) { // HTTP/2 by prior knowledge: Vert.x takes it from here
            decided();
            streams = new H2StreamOrder(4 * edge.policy().maxConcurrentStreams() + 16);
            ByteBuf preface = buf.readRetainedSlice(same);
            int error = streams.feed(buf); // the frames after the preface
            if (error != 0) {
                preface.release();
                buf.release();
                goAway(ctx, error);
                return;
            }
            if (prefaceMatched == 0) H2Front.take(ctx.channel(), NAME, edge.policy()); // else Vert.x holds the preface's start
            ctx.fireChannelRead(preface);
            if (buf.isReadable()) ctx.fireChannelRead(buf);
            else buf.release();
            return;
        }
        if (same == readable) { // still a prefix of the preface
            prefaceMatched += same;
            ctx.fireChannelRead(msg);
            return;
        }
        // Nothing has reached Vert.x yet: the front may take it (a head in one read, not an h2c upgrade).
        if (prefaceMatched == 0 && !edge.policy().proxyProtocol() && H1Front.enabled() && H1Front.firstHeadIsPlainHttp1(buf)) {
            Http1Guard taken = H1Front.take(ctx.channel(), edge, accepted);
            if (taken != null) {
                guard(taken);
                ctx.fireChannelRead(buf);
                return;
            }
        }
        // HTTP/1: Vert.x builds its HTTP/1 pipeline on the first byte that differs from the preface
        // (it holds the bytes before it); the strict decoder replaces its decoder before the rest.
        ByteBuf first = buf.readRetainedSlice(same + 1);
        ctx.fireChannelRead(first);
        if (ctx.pipeline().get(Http1Guard.DECODER) != null) {
            guard(Http1Guard.install(ctx.pipeline(), edge.policy(), edge.serverHeader(), accepted, edge.recorder()));
        } else {
            decided();
        }
        if (buf.isReadable()) ctx.fireChannelRead(buf);
        else buf.release();
    }
}
