package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.HostAndPort;
import java.util.Iterator;
import java.util.Map;

/**
 * One HTTP/1.1 connection to a backend, Pier's own: a Netty channel on the event loop of the
 * exchanges it carries, with Netty's response decoder in front of it. It carries one exchange at
 * a time ({@link Stream}); when a response ends cleanly after its request was sent whole and the
 * backend keeps the connection open, it goes back to its {@link BackendPool}. Written and read
 * with nothing between Pier and Netty: the request head is encoded once, straight from
 * {@link UpstreamRequest}'s headers; the body parts of one read go on as one buffer, without a copy.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {
    /** A response head larger than this is refused (as Vert.x's client was configured before). */
    static final int MAX_RESPONSE_HEAD = 32 * 1024;
    private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(CharsetUtil.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(CharsetUtil.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(CharsetUtil.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(CharsetUtil.US_ASCII);
    private static final byte[] HOST = "host: ".getBytes(CharsetUtil.US_ASCII);
    /** RFC 9110 tchar: what a header name may hold. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TOKEN[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TOKEN[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TOKEN[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TOKEN[c] = true;
    }

    final BackendPool.Endpoints pool;
    private ChannelHandlerContext ctx;
    /** The exchange on this connection; null while idle. */
    private Stream current;
    /** Set once the connection is closing: never handed out again. */
    private boolean closed;
    /** When it went idle ({@link System#nanoTime}), for the keep-alive bound. */
    long idleSince;

    BackendConnection(BackendPool.Endpoints pool) {
        this.pool = pool;
    }

    /** The handlers of a new connection's pipeline: the response decoder, then this. */
    void install(Channel channel) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxHeaderSize(MAX_RESPONSE_HEAD)
                .setMaxInitialLineLength(MAX_RESPONSE_HEAD)
                // Whatever one read brings of a body goes on in one piece (BackendConnection joins the pieces of a read).
                .setMaxChunkSize(1 << 20);
        channel.pipeline().addLast("decoder", new HttpResponseDecoder(config) {
            @Override
            protected boolean isContentAlwaysEmpty(HttpMessage msg) {
                // the answer to HEAD has a head only, whatever its Content-Length says
                return (current != null && current.headRequest) || super.isContentAlwaysEmpty(msg);
            }
        });
        channel.pipeline().addLast("pier-backend", this);
    }

    /** Whether it can carry another exchange: open and not closing. */
    boolean usable() {
        return !closed && ctx != null && ctx.channel().isActive();
    }

    /** Starts an exchange on this (idle) connection; the try's events go to {@code listener}. */
    Stream open(UpstreamRequest request, String fallbackHost, BackendStream.Listener listener) {
        Stream s = new Stream(request, fallbackHost, listener);
        current = s;
        return s;
    }

    void close() {
        closed = true;
        if (ctx != null) ctx.close();
    }

    // ---- Netty's side --------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Stream s = current;
        if (s == null || s.responseEnded) {
            // a response nobody asked for: the connection's framing is lost
            ReferenceCountUtil.release(msg);
            close();
            return;
        }
        if (msg instanceof HttpResponse head) s.head(head);
        if (msg instanceof HttpContent content) s.content(content);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Stream s = current;
        if (s != null) s.flushPending();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Stream s = current;
        if (s != null && s.drainHandler != null && ctx.channel().isWritable()) {
            Handler<Void> drain = s.drainHandler;
            s.drainHandler = null;
            drain.handle(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        Stream s = current;
        current = null;
        pool.closed(this);
        if (s != null) s.broke(new VertxException("backend connection closed", true));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Stream s = current;
        close();
        if (s != null) s.broke(cause);
    }

    /** The exchange ended cleanly on both sides: back to the pool when the backend keeps the connection. */
    private void ended(Stream s, boolean keepAlive) {
        if (current != s) return;
        current = null;
        if (s.paused) ctx.channel().config().setAutoRead(true);
        if (keepAlive && !closed) pool.recycle(this);
        else close();
    }

    /**
     * One request and its response on this connection. Every method is a no-op once the exchange
     * left the connection (ended, failed or reset), so a try that moved on, or a request body still
     * arriving from the client, can never touch the next exchange the connection carries.
     */
    final class Stream implements BackendStream {
        private final UpstreamRequest request;
        private final String fallbackHost;
        final boolean headRequest;
        private BackendStream.Listener listener;
        private Handler<Void> drainHandler;
        private HttpResponse response;
        private LastHttpContent last;
        /** Body bytes of the current read, handed on together when the read is over (or the response ends). */
        private ByteBuf pending;
        /** The response in hand is informational (1xx): skipped with its (empty) end. */
        private boolean interim;
        private boolean chunked;
        private boolean requestEnded;
        private boolean responseEnded;
        private boolean keepAlive;
        private boolean discarding;
        private Runnable discarded;
        private boolean paused;

        private Stream(UpstreamRequest request, String fallbackHost, BackendStream.Listener listener) {
            this.request = request;
            this.fallbackHost = fallbackHost;
            this.listener = listener;
            this.headRequest = request.method() == HttpMethod.HEAD;
        }

        private boolean live() {
            return current == this && !closed;
        }

        // ---- reading ----

        private void head(HttpResponse head) {
            DecoderResult result = head.decoderResult();
            if (result.isFailure()) {
                broke(result.cause());
                close();
                return;
            }
            int code = head.status().code();
            if (code == 101) {
                // an upgrade nobody asked for (websockets go through Vert.x's client): not HTTP any more
                broke(new VertxException("backend switched protocols unasked", true));
                close();
                return;
            }
            if (code < 200) {
                interim = true; // 100, 102, 103: the final response follows
                return;
            }
            response = head;
            keepAlive = HttpUtil.isKeepAlive(head);
            if (listener != null) listener.head(this);
        }

        private void content(HttpContent content) {
            if (interim) {
                if (content instanceof LastHttpContent) interim = false;
                content.release();
                return;
            }
            DecoderResult result = content.decoderResult();
            if (result.isFailure()) {
                content.release();
                broke(result.cause());
                close();
                return;
            }
            ByteBuf data = content.content();
            if (data.isReadable()) {
                add(data);
            } else {
                data.release();
            }
            if (content instanceof LastHttpContent end) {
                last = end;
                responseEnded = true;
                ByteBuf rest = pending;
                pending = null;
                BackendStream.Listener l = listener;
                if (l != null) {
                    l.end(rest == null ? null : BufferInternal.buffer(rest));
                } else if (rest != null) {
                    rest.release();
                }
                if (discarding) discarded.run();
                if (!requestEnded) {
                    // the backend answered before the request body was through: nothing to reuse
                    if (current == this) current = null;
                    close();
                } else {
                    ended(this, keepAlive);
                }
            }
        }

        private void add(ByteBuf data) {
            if (discarding || listener == null) {
                data.release();
            } else if (pending == null) {
                pending = data;
            } else if (pending instanceof CompositeByteBuf composite) {
                composite.addComponent(true, data);
            } else {
                CompositeByteBuf composite = ctx.alloc().compositeDirectBuffer(16);
                composite.addComponent(true, pending);
                composite.addComponent(true, data);
                pending = composite;
            }
        }

        private void flushPending() {
            ByteBuf data = pending;
            if (data == null) return;
            pending = null;
            if (listener != null) listener.chunk(BufferInternal.buffer(data));
            else data.release();
        }

        /** The connection broke, or the response cannot be read: the listener hears it once. */
        private void broke(Throwable cause) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            if (current == this) current = null;
            BackendStream.Listener l = listener;
            listener = null;
            if (discarding) {
                discarding = false;
                discarded.run();
            } else if (l != null && !responseEnded) {
                l.failed(cause);
            }
        }

        // ---- BackendStream: the request ----

        @Override
        public void listener(BackendStream.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void send(Buffer body) {
            if (!live()) return;
            requestEnded = true;
            ByteBuf head = encodeHead(body == null ? -1 : body.length(), false);
            if (head == null) return;
            if (body == null || body.length() == 0) {
                ctx.writeAndFlush(head, ctx.voidPromise());
            } else {
                ctx.write(head, ctx.voidPromise());
                ctx.writeAndFlush(bytes(body), ctx.voidPromise());
            }
        }

        @Override
        public void sendHead() {
            if (!live()) return;
            chunked = !request.headers().contains(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH);
            ByteBuf head = encodeHead(-1, chunked);
            if (head != null) ctx.writeAndFlush(head, ctx.voidPromise());
        }

        @Override
        public void write(Buffer chunk) {
            if (!live() || requestEnded || chunk.length() == 0) return;
            if (chunked) {
                ByteBuf size = ctx.alloc().directBuffer(12);
                size.writeCharSequence(Integer.toHexString(chunk.length()), CharsetUtil.US_ASCII);
                size.writeBytes(CRLF);
                ctx.write(size, ctx.voidPromise());
                ctx.write(bytes(chunk), ctx.voidPromise());
                ctx.writeAndFlush(Unpooled.wrappedBuffer(CRLF), ctx.voidPromise());
            } else {
                ctx.writeAndFlush(bytes(chunk), ctx.voidPromise());
            }
        }

        @Override
        public void end() {
            if (!live() || requestEnded) return;
            requestEnded = true;
            if (chunked) ctx.writeAndFlush(Unpooled.wrappedBuffer(LAST_CHUNK), ctx.voidPromise());
            if (responseEnded) ended(this, keepAlive);
        }

        @Override
        public boolean writeQueueFull() {
            return live() && !ctx.channel().isWritable();
        }

        @Override
        public void drainHandler(Handler<Void> handler) {
            this.drainHandler = live() ? handler : null;
        }

        @Override
        public void reset() {
            listener = null;
            if (pending != null) {
                pending.release();
                pending = null;
            }
            if (current == this) {
                current = null;
                close();
            }
        }

        // ---- BackendStream: the response ----

        @Override
        public int status() {
            return response.status().code();
        }

        @Override
        public String statusMessage() {
            return response.status().reasonPhrase();
        }

        @Override
        public void copyHeaders(MultiMap to) {
            HopByHop.copy(response.headers(), to);
        }

        @Override
        public boolean hasTrailers() {
            return last != null && !last.trailingHeaders().isEmpty();
        }

        @Override
        public void copyTrailers(MultiMap to) {
            HopByHop.copy(last.trailingHeaders(), to);
        }

        @Override
        public void pause() {
            if (live() && !paused) {
                paused = true;
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void resume() {
            if (live() && paused) {
                paused = false;
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void discard(Runnable done) {
            listener = null;
            if (pending != null) {
                pending.release();
                pending = null;
            }
            resume();
            if (responseEnded || current != this) {
                done.run();
            } else {
                discarding = true;
                discarded = done;
            }
        }

        @Override
        public void written(Buffer chunk) {
            ((BufferInternal) chunk).unwrap().release();
        }

        // ---- the request head, encoded once ----

        /**
         * The head as bytes: request line, Host, the headers as {@link UpstreamRequest} holds them, then
         * the framing ({@code contentLength} >= 0 replaces any Content-Length; {@code chunked} adds
         * Transfer-Encoding). A value with CR, LF or NUL, a name that is not a token, or a target with
         * a space or control character is never written: the try fails instead.
         */
        private ByteBuf encodeHead(long contentLength, boolean chunked) {
            ByteBuf buf = ctx.alloc().directBuffer(512);
            try {
                String uri = request.uri();
                checkTarget(uri);
                buf.writeCharSequence(request.method().name(), CharsetUtil.US_ASCII);
                buf.writeByte(' ');
                buf.writeCharSequence(uri.isEmpty() ? "/" : uri, CharsetUtil.ISO_8859_1);
                buf.writeBytes(HTTP_1_1_CRLF);
                MultiMap headers = request.headers();
                if (!headers.contains(io.vertx.core.http.HttpHeaders.HOST)) {
                    HostAndPort authority = request.authority();
                    buf.writeBytes(HOST);
                    if (authority == null) {
                        writeValue(buf, fallbackHost);
                    } else {
                        writeValue(buf, authority.host());
                        if (authority.port() >= 0 && authority.port() != 80) {
                            buf.writeByte(':');
                            buf.writeCharSequence(Integer.toString(authority.port()), CharsetUtil.US_ASCII);
                        }
                    }
                    buf.writeBytes(CRLF);
                }
                Iterator<Map.Entry<CharSequence, CharSequence>> it =
                        ((io.netty.handler.codec.http.HttpHeaders) headers).iteratorCharSequence();
                while (it.hasNext()) {
                    Map.Entry<CharSequence, CharSequence> e = it.next();
                    CharSequence name = e.getKey();
                    if (contentLength >= 0 && io.netty.util.AsciiString.contentEqualsIgnoreCase(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH, name)) continue;
                    writeName(buf, name);
                    buf.writeByte(':');
                    buf.writeByte(' ');
                    writeValue(buf, e.getValue());
                    buf.writeBytes(CRLF);
                }
                if (contentLength >= 0) {
                    buf.writeBytes(CONTENT_LENGTH);
                    buf.writeCharSequence(Long.toString(contentLength), CharsetUtil.US_ASCII);
                    buf.writeBytes(CRLF);
                }
                if (chunked) buf.writeBytes(CHUNKED);
                buf.writeBytes(CRLF);
                return buf;
            } catch (IllegalArgumentException e) {
                buf.release();
                broke(e);
                close();
                return null;
            }
        }
    }

    private static void checkTarget(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c == 0x7f || c > 0xff) throw new IllegalArgumentException("request target with a space or control character");
        }
    }

    private static void writeName(ByteBuf buf, CharSequence name) {
        int n = name.length();
        if (n == 0) throw new IllegalArgumentException("empty header name");
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 128 || !TOKEN[c]) throw new IllegalArgumentException("header name " + name + " is not a token");
        }
        ByteBufUtil.writeAscii(buf, name);
    }

    private static void writeValue(ByteBuf buf, CharSequence value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) throw new IllegalArgumentException("header value with CR, LF or NUL");
        }
        buf.writeCharSequence(value, CharsetUtil.ISO_8859_1);
    }

    /** A body part from Vert.x (a heap copy it made, or Pier's own buffer) as a buffer Netty may write and release. */
    private static ByteBuf bytes(Buffer chunk) {
        return ((BufferInternal) chunk).getByteBuf();
    }
}
