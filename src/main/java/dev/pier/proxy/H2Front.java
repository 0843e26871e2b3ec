package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpFrame;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpSettings;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.StreamPriority;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.http.impl.headers.HttpHeaders;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Pier's own HTTP/2 server on Netty's codec (HPACK, flow control, frame checks), on the event loop
 * Vert.x gave the connection: each stream is handed to the proxy as a {@link HttpServerRequest}
 * of this class's own, with no Vert.x stream object, message queues or context dispatch per
 * stream, and its response is written straight into the codec. It serves h2c by prior knowledge
 * or by {@code Upgrade: h2c} (see {@link #upgrade}) and h2 over TLS (ALPN) unless the hidden system
 * property {@code pier.h2front=false} hands them back to Vert.x's server (an escape hatch, not a flag).
 */
final class H2Front {
    /** Read per connection: on unless {@code -Dpier.h2front=false}; a test turns it off around its class. */
    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("pier.h2front"));
    private static final int FLUSH_AFTER_WRITES = 64;

    /** The proxy instance serving a port on one event loop: its Vert.x context and its request handler. */
    private record Served(ContextInternal context, Handler<HttpServerRequest> handler) {
    }

    /** Each proxy instance, by port and the event loop its connections run on. */
    private static final Map<Integer, Map<EventLoop, Served>> SERVERS = new ConcurrentHashMap<>();

    private H2Front() {
    }

    /** Connections the front has taken since start (tests check that theirs went through it). */
    private static final java.util.concurrent.atomic.LongAdder TAKEN = new java.util.concurrent.atomic.LongAdder();

    static boolean enabled() {
        return enabled;
    }

    static long taken() {
        return TAKEN.sum();
    }

    /** For tests: new h2 connections go to the front (true) or to Vert.x's server (false). */
    static void enabled(boolean on) {
        enabled = on;
    }

    static void serve(int port, ContextInternal context, Handler<HttpServerRequest> handler) {
        SERVERS.computeIfAbsent(port, p -> new ConcurrentHashMap<>()).put(context.nettyEventLoop(), new Served(context, handler));
    }

    static void stop(int port, EventLoop loop) {
        Map<EventLoop, Served> loops = SERVERS.get(port);
        if (loops != null) loops.remove(loop);
    }

    /**
     * Takes an HTTP/2 connection: Vert.x's handlers after {@code after} (Pier's {@link ConnectionStart}
     * on h2c, once it has seen the whole preface; the {@link SslHandler} over TLS, once ALPN chose h2)
     * are replaced by Netty's HTTP/2 codec with this front as its listener. False when no proxy
     * instance serves this connection's port and loop here (then Vert.x keeps it).
     */
    static boolean take(Channel channel, String after, EdgePolicy policy) {
        return install(channel, after, policy) != null;
    }

    /** {@link #take}'s work: the connection's front, or null when no proxy instance serves it here. */
    private static Front install(Channel channel, String after, EdgePolicy policy) {
        Served served = served(channel);
        if (served == null) return null;
        ChannelPipeline pipeline = channel.pipeline();
        boolean behind = false;
        for (String name : pipeline.names()) {
            if (behind && pipeline.get(name) != null) pipeline.remove(name);
            if (name.equals(after)) behind = true;
        }
        SslHandler ssl = pipeline.get(SslHandler.class);
        Front front = new Front(served, channel.remoteAddress(), channel.localAddress(), ssl);
        Http2ConnectionHandler codec = new Http2ConnectionHandlerBuilder()
                .server(true)
                .frameListener(front)
                .initialSettings(new Http2Settings()
                        .maxConcurrentStreams(policy.maxConcurrentStreams())
                        .maxHeaderListSize(policy.maxHeaderBytes()))
                .build();
        front.codec = codec;
        pipeline.addAfter(after, "pier-h2-context", new InContext(served.context()));
        pipeline.addAfter("pier-h2-context", "pier-h2-idle",
                new IdleStateHandler(0, 0, policy.http2IdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addAfter("pier-h2-idle", "pier-h2-flush", new FlushConsolidationHandler(FLUSH_AFTER_WRITES, true));
        pipeline.addAfter("pier-h2-flush", "pier-h2-codec", codec);
        pipeline.addAfter("pier-h2-codec", "pier-h2-front", front.events);
        front.ctx = pipeline.context(codec);
        codec.encoder().flowController().listener(front);
        TAKEN.increment();
        return front;
    }

    private static Served served(Channel channel) {
        if (!enabled || !(channel.localAddress() instanceof InetSocketAddress local)) return null;
        Map<EventLoop, Served> loops = SERVERS.get(local.getPort());
        return loops == null ? null : loops.get(channel.eventLoop());
    }

    /** Whether {@link #upgrade} would find a proxy instance for this connection. */
    static boolean servesUpgrade(Channel channel) {
        return served(channel) != null;
    }

    /**
     * Takes an HTTP/1.1 connection whose first request, with no body, asked for {@code Upgrade: h2c}
     * (RFC 7540 section 3.2), at the end of that request: {@code switching} writes the 101 through
     * the HTTP/1 encoder, then the HTTP/1 handlers after {@code decoder} give way to the front, the
     * client's settings apply and the request is stream 1, half closed (its response is the first
     * on HTTP/2). The decoder goes last: bytes it still holds (the client's preface, if sent
     * early) reach the codec after the upgrade. False when no proxy instance serves the connection.
     */
    static boolean upgrade(Channel channel, String decoder, Runnable switching, Http2Settings settings, Http2Headers request,
                           EdgePolicy policy) {
        if (served(channel) == null) return false;
        switching.run();
        Front front = install(channel, decoder, policy);
        try {
            front.codec.onHttpServerUpgrade(settings);
        } catch (Http2Exception e) { // settings that decode but are out of range (checked before, so not expected)
            channel.close();
            return true;
        }
        ContextInternal context = front.served.context();
        ContextInternal previous = context.beginDispatch();
        try {
            front.onHeadersRead(front.ctx, Http2CodecUtil.HTTP_UPGRADE_STREAM_ID, request, 0, true);
        } catch (Http2Exception e) {
            channel.close();
        } finally {
            context.endDispatch(previous);
        }
        channel.pipeline().remove(decoder);
        front.flush();
        return true;
    }

    /**
     * Runs what the connection's events lead to in the proxy instance's Vert.x context, as Vert.x's
     * server does (once per read, not per stream): timers, futures and Vert.x's clients that the
     * exchange uses then stay on this event loop.
     */
    static final class InContext extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final ContextInternal context;

        InContext(ContextInternal context) {
            this.context = context;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ContextInternal previous = context.beginDispatch();
            try {
                ctx.fireChannelRead(msg);
            } finally {
                context.endDispatch(previous);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ContextInternal previous = context.beginDispatch();
            try {
                ctx.fireChannelReadComplete();
            } finally {
                context.endDispatch(previous);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ContextInternal previous = context.beginDispatch();
            try {
                ctx.fireChannelInactive();
            } finally {
                context.endDispatch(previous);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ContextInternal previous = context.beginDispatch();
            try {
                ctx.fireUserEventTriggered(evt);
            } finally {
                context.endDispatch(previous);
            }
        }
    }

    /** One connection: the codec's listener, the streams' owner. */
    private static final class Front extends Http2EventAdapter implements Http2RemoteFlowController.Listener {
        final Served served;
        final Handler<HttpServerRequest> handler;
        final Conn conn;
        Http2ConnectionHandler codec;
        ChannelHandlerContext ctx;
        final io.netty.channel.ChannelInboundHandlerAdapter events = new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
                if (evt instanceof IdleStateEvent) c.close();
                else super.userEventTriggered(c, evt);
            }

            /** What the codec passes on is the socket's own failure (a reset, a broken pipe): the connection is done. */
            @Override
            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                c.close();
            }
        };

        Front(Served served, java.net.SocketAddress remote, java.net.SocketAddress local, SslHandler ssl) {
            this.served = served;
            this.handler = served.handler();
            this.conn = new Conn(this, remote, local, ssl);
        }

        private Stream stream(int id) {
            Http2Stream s = codec.connection().stream(id);
            return s == null ? null : s.getProperty(propertyKey());
        }

        private io.netty.handler.codec.http2.Http2Connection.PropertyKey propertyKey;

        private io.netty.handler.codec.http2.Http2Connection.PropertyKey propertyKey() {
            if (propertyKey == null) propertyKey = codec.connection().newKey();
            return propertyKey;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding, boolean endOfStream)
                throws Http2Exception {
            Http2Stream s = codec.connection().stream(streamId);
            Stream existing = s == null ? null : s.getProperty(propertyKey());
            if (existing != null) { // trailers
                existing.trailersRead(endOfStream);
                return;
            }
            if (headers.method() == null || headers.scheme() == null || headers.path() == null || headers.path().length() == 0) {
                throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "missing pseudo-header");
            }
            Stream stream = new Stream(this, s, headers, endOfStream);
            s.setProperty(propertyKey(), stream);
            handler.handle(stream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int streamDependency, short weight,
                                  boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
            onHeadersRead(c, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            Stream stream = stream(streamId);
            int length = data.readableBytes();
            if (stream == null) return length + padding;
            return stream.dataRead(data, endOfStream) ? length + padding : padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
            Stream stream = stream(streamId);
            if (stream != null) stream.resetByPeer(errorCode);
        }

        @Override
        public void onStreamClosed(Http2Stream s) {
            Stream stream = s.getProperty(propertyKey());
            if (stream != null) stream.closed();
        }

        @Override
        public void writabilityChanged(Http2Stream s) {
            Stream stream = s.getProperty(propertyKey());
            if (stream != null && codec.encoder().flowController().isWritable(s)) stream.response.drained();
        }

        void flush() {
            codec.flush(ctx);
        }
    }

    /** One request stream, as the proxy reads it. */
    private static final class Stream implements HttpServerRequest {
        final Front front;
        final Http2Stream s;
        final Http2Headers head;
        final Response response;
        private final HttpHeaders headers;
        private final String path;
        private final String query;
        private HttpMethod method;
        private HostAndPort authority;
        private boolean ended;
        private boolean paused;
        private boolean gone;
        private long bytesRead;
        private Handler<Buffer> dataHandler;
        private Handler<Void> endHandler;
        private Handler<Throwable> exceptionHandler;
        /** Data read while paused, with its flow-control credit not yet given back. */
        private ArrayDeque<Buffer> pending;
        private boolean endPending;

        Stream(Front front, Http2Stream s, Http2Headers head, boolean endOfStream) {
            this.front = front;
            this.s = s;
            this.head = head;
            this.headers = new HttpHeaders(head);
            this.ended = endOfStream;
            String p = head.path().toString();
            int q = p.indexOf('?');
            this.path = q < 0 ? p : p.substring(0, q);
            this.query = q < 0 ? null : p.substring(q + 1);
            this.response = new Response(this);
        }

        /** True when the data was taken now (its credit goes back at once). */
        boolean dataRead(ByteBuf data, boolean endOfStream) {
            bytesRead += data.readableBytes();
            Buffer chunk = BufferInternal.buffer(Unpooled.copiedBuffer(data));
            if (endOfStream) ended = true;
            if (paused || pending != null) {
                if (pending == null) pending = new ArrayDeque<>();
                if (chunk.length() > 0) pending.add(chunk);
                endPending |= endOfStream;
                return false;
            }
            if (chunk.length() > 0 && dataHandler != null) dataHandler.handle(chunk);
            if (endOfStream && endHandler != null) endHandler.handle(null);
            return true;
        }

        void trailersRead(boolean endOfStream) {
            if (!endOfStream) return;
            ended = true;
            if (paused || pending != null) {
                if (pending == null) pending = new ArrayDeque<>();
                endPending = true;
                return;
            }
            if (endHandler != null) endHandler.handle(null);
        }

        private void deliver() {
            while (pending != null && !paused) {
                Buffer chunk = pending.poll();
                if (chunk == null) {
                    pending = null;
                    if (endPending) {
                        endPending = false;
                        if (endHandler != null) endHandler.handle(null);
                    }
                    break;
                }
                try {
                    front.codec.decoder().flowController().consumeBytes(s, chunk.length());
                } catch (Http2Exception e) {
                    front.ctx.close();
                }
                if (dataHandler != null) dataHandler.handle(chunk);
            }
            front.flush();
        }

        void resetByPeer(long code) {
            if (gone) return;
            gone = true;
            StreamResetException e = new StreamResetException(code);
            if (exceptionHandler != null) exceptionHandler.handle(e);
            response.gone(e);
        }

        void closed() {
            if (!response.ended && !gone) {
                gone = true;
                response.gone(null);
            }
        }

        // ---- HttpServerRequest ----

        @Override
        public HttpServerRequest exceptionHandler(Handler<Throwable> handler) {
            exceptionHandler = handler;
            return this;
        }

        @Override
        public HttpServerRequest handler(Handler<Buffer> handler) {
            dataHandler = handler;
            return this;
        }

        @Override
        public HttpServerRequest pause() {
            paused = true;
            return this;
        }

        @Override
        public HttpServerRequest resume() {
            if (!paused) return this;
            paused = false;
            if (pending != null) deliver();
            return this;
        }

        @Override
        public HttpServerRequest fetch(long amount) {
            return resume();
        }

        @Override
        public HttpServerRequest endHandler(Handler<Void> handler) {
            endHandler = handler;
            return this;
        }

        @Override
        public HttpVersion version() {
            return HttpVersion.HTTP_2;
        }

        @Override
        public HttpMethod method() {
            if (method == null) method = HttpMethod.valueOf(head.method().toString());
            return method;
        }

        @Override
        public String uri() {
            return head.path().toString();
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String query() {
            return query;
        }

        @Override
        public MultiMap headers() {
            return headers;
        }

        @Override
        public String scheme() {
            return head.scheme().toString();
        }

        @Override
        public HostAndPort authority() {
            if (authority == null) {
                CharSequence a = head.authority();
                if (a == null) a = head.get(io.netty.handler.codec.http.HttpHeaderNames.HOST);
                if (a != null) authority = HostAndPort.parseAuthority(a.toString(), -1);
            }
            return authority;
        }

        @Override
        public HostAndPort authority(boolean real) {
            return authority();
        }

        @Override
        public long bytesRead() {
            return bytesRead;
        }

        @Override
        public HttpServerResponse response() {
            return response;
        }

        @Override
        public HttpServerRequest setParamsCharset(String charset) {
            throw unsupported();
        }

        @Override
        public String getParamsCharset() {
            return "UTF-8";
        }

        @Override
        public MultiMap params(boolean semicolonIsNormalChar) {
            throw unsupported();
        }

        @Override
        public String absoluteURI() {
            return scheme() + "://" + head.authority() + uri();
        }

        @Override
        public Future<Buffer> body() {
            throw unsupported();
        }

        @Override
        public Future<Void> end() {
            throw unsupported();
        }

        @Override
        public Future<NetSocket> toNetSocket() {
            return Future.failedFuture(unsupported());
        }

        @Override
        public HttpServerRequest setExpectMultipart(boolean expect) {
            throw unsupported();
        }

        @Override
        public boolean isExpectMultipart() {
            return false;
        }

        @Override
        public HttpServerRequest uploadHandler(Handler<HttpServerFileUpload> handler) {
            throw unsupported();
        }

        @Override
        public MultiMap formAttributes() {
            throw unsupported();
        }

        @Override
        public String getFormAttribute(String name) {
            throw unsupported();
        }

        @Override
        public Future<ServerWebSocket> toWebSocket() {
            return Future.failedFuture(unsupported());
        }

        @Override
        public boolean canUpgradeToWebSocket() {
            return false;
        }

        @Override
        public boolean isEnded() {
            return ended && pending == null;
        }

        @Override
        public HttpServerRequest customFrameHandler(Handler<HttpFrame> handler) {
            return this;
        }

        @Override
        public HttpConnection connection() {
            return front.conn;
        }

        @Override
        public long streamId() {
            return s.id();
        }

        @Override
        public HttpServerRequest streamPriorityHandler(Handler<StreamPriority> handler) {
            return this;
        }

        @Override
        public DecoderResult decoderResult() {
            return DecoderResult.SUCCESS;
        }

        @Override
        public Cookie getCookie(String name) {
            throw unsupported();
        }

        @Override
        public Cookie getCookie(String name, String domain, String path) {
            throw unsupported();
        }

        @Override
        public Set<Cookie> cookies(String name) {
            throw unsupported();
        }

        @Override
        public Set<Cookie> cookies() {
            throw unsupported();
        }
    }

    /** One stream's response, written straight into the codec. */
    private static final class Response implements HttpServerResponse {
        private final Stream stream;
        private final HttpHeaders headers = new HttpHeaders(new DefaultHttp2Headers(false));
        private HttpHeaders trailers;
        private int status = 200;
        boolean ended;
        private boolean headWritten;
        private boolean closed;
        private long bytesWritten;
        private Handler<Void> drainHandler;
        private Handler<Throwable> exceptionHandler;
        private Handler<Void> closeHandler;
        private Handler<Void> endHandler;
        private Handler<Void> headersEndHandler;
        private Handler<Void> bodyEndHandler;

        Response(Stream stream) {
            this.stream = stream;
        }

        void drained() {
            Handler<Void> h = drainHandler;
            if (h != null) h.handle(null);
        }

        void gone(Throwable cause) {
            if (closed) return;
            closed = true;
            if (cause != null && exceptionHandler != null) exceptionHandler.handle(cause);
            if (closeHandler != null) closeHandler.handle(null);
        }

        private ChannelHandlerContext ctx() {
            return stream.front.ctx;
        }

        private void checkOpen() {
            if (ended) throw new IllegalStateException("Response has already been written");
            if (closed) throw new IllegalStateException("Stream is closed");
        }

        private void writeHead(boolean endStream) {
            if (headersEndHandler != null) headersEndHandler.handle(null);
            headWritten = true;
            Http2Headers out = (Http2Headers) headers.unwrap();
            out.status(io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).codeAsText());
            stream.front.codec.encoder().writeHeaders(ctx(), stream.s.id(), out, 0, endStream, ctx().newPromise());
        }

        private void writeData(Buffer data, boolean endStream) {
            // The codec releases what it was given once written; the caller keeps its own reference.
            ByteBuf buf = ((BufferInternal) data).unwrap().retainedDuplicate();
            bytesWritten += buf.readableBytes();
            stream.front.codec.encoder().writeData(ctx(), stream.s.id(), buf, 0, endStream, ctx().newPromise());
        }

        private Future<Void> finish(Buffer body) {
            checkOpen();
            boolean hasTrailers = trailers != null && !trailers.isEmpty();
            boolean hasBody = body != null && body.length() > 0;
            boolean headBefore = headWritten;
            if (!headWritten) writeHead(!hasBody && !hasTrailers);
            if (hasBody) writeData(body, !hasTrailers);
            else if (headBefore && !hasTrailers) writeData(Buffer.buffer(), true);
            if (hasTrailers) {
                stream.front.codec.encoder().writeHeaders(ctx(), stream.s.id(), (Http2Headers) trailers.unwrap(), 0, true,
                        ctx().newPromise());
            }
            ended = true;
            stream.front.flush();
            if (bodyEndHandler != null) bodyEndHandler.handle(null);
            if (endHandler != null) endHandler.handle(null);
            return Future.succeededFuture();
        }

        @Override
        public HttpServerResponse exceptionHandler(Handler<Throwable> handler) {
            exceptionHandler = handler;
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            checkOpen();
            if (!headWritten) writeHead(false);
            writeData(data, false);
            stream.front.flush();
            return Future.succeededFuture();
        }

        @Override
        public HttpServerResponse setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return !stream.front.codec.encoder().flowController().isWritable(stream.s);
        }

        @Override
        public HttpServerResponse drainHandler(Handler<Void> handler) {
            drainHandler = handler;
            return this;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public HttpServerResponse setStatusCode(int statusCode) {
            status = statusCode;
            return this;
        }

        @Override
        public String getStatusMessage() {
            return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        }

        @Override
        public HttpServerResponse setStatusMessage(String statusMessage) {
            return this; // HTTP/2 has no reason phrase
        }

        @Override
        public HttpServerResponse setChunked(boolean chunked) {
            return this;
        }

        @Override
        public boolean isChunked() {
            return false;
        }

        @Override
        public MultiMap headers() {
            return headers;
        }

        @Override
        public HttpServerResponse putHeader(String name, String value) {
            headers.set(name, value);
            return this;
        }

        @Override
        public HttpServerResponse putHeader(CharSequence name, CharSequence value) {
            headers.set(name, value);
            return this;
        }

        @Override
        public HttpServerResponse putHeader(String name, Iterable<String> values) {
            headers.set(name, values);
            return this;
        }

        @Override
        public HttpServerResponse putHeader(CharSequence name, Iterable<CharSequence> values) {
            headers.set(name, values);
            return this;
        }

        @Override
        public MultiMap trailers() {
            if (trailers == null) trailers = new HttpHeaders(new DefaultHttp2Headers(false));
            return trailers;
        }

        @Override
        public HttpServerResponse putTrailer(String name, String value) {
            trailers().set(name, value);
            return this;
        }

        @Override
        public HttpServerResponse putTrailer(CharSequence name, CharSequence value) {
            trailers().set(name, value);
            return this;
        }

        @Override
        public HttpServerResponse putTrailer(String name, Iterable<String> values) {
            trailers().set(name, values);
            return this;
        }

        @Override
        public HttpServerResponse putTrailer(CharSequence name, Iterable<CharSequence> value) {
            trailers().set(name, value);
            return this;
        }

        @Override
        public HttpServerResponse closeHandler(Handler<Void> handler) {
            closeHandler = handler;
            return this;
        }

        @Override
        public HttpServerResponse endHandler(Handler<Void> handler) {
            endHandler = handler;
            return this;
        }

        @Override
        public Future<Void> writeHead() {
            checkOpen();
            if (!headWritten) writeHead(false);
            stream.front.flush();
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> write(String chunk, String enc) {
            return write(Buffer.buffer(chunk, enc));
        }

        @Override
        public Future<Void> write(String chunk) {
            return write(Buffer.buffer(chunk));
        }

        @Override
        public Future<Void> writeContinue() {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> writeEarlyHints(MultiMap headers) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public Future<Void> end(String chunk) {
            return end(Buffer.buffer(chunk));
        }

        @Override
        public Future<Void> end(String chunk, String enc) {
            return end(Buffer.buffer(chunk, enc));
        }

        @Override
        public Future<Void> end(Buffer chunk) {
            return finish(chunk);
        }

        @Override
        public Future<Void> end() {
            return finish(null);
        }

        @Override
        public Future<Void> sendFile(String filename, long offset, long length) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public Future<Void> sendFile(FileChannel channel, long offset, long length) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public Future<Void> sendFile(RandomAccessFile file, long offset, long length) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public boolean closed() {
            return closed;
        }

        @Override
        public boolean headWritten() {
            return headWritten;
        }

        @Override
        public HttpServerResponse headersEndHandler(Handler<Void> handler) {
            headersEndHandler = handler;
            return this;
        }

        @Override
        public HttpServerResponse bodyEndHandler(Handler<Void> handler) {
            bodyEndHandler = handler;
            return this;
        }

        @Override
        public long bytesWritten() {
            return bytesWritten;
        }

        @Override
        public long streamId() {
            return stream.s.id();
        }

        @Override
        public Future<HttpServerResponse> push(HttpMethod method, HostAndPort authority, String path, MultiMap headers) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public Future<Void> reset(long code) {
            if (ended && stream.s.state() == Http2Stream.State.CLOSED) return Future.succeededFuture();
            ended = true;
            closed = true;
            stream.front.codec.encoder().writeRstStream(ctx(), stream.s.id(), code, ctx().newPromise());
            stream.front.flush();
            return Future.succeededFuture();
        }

        @Override
        public Future<Boolean> cancel() {
            reset(Http2Error.CANCEL.code());
            return Future.succeededFuture(true);
        }

        @Override
        public Future<Void> writeCustomFrame(int type, int flags, Buffer payload) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public HttpServerResponse addCookie(Cookie cookie) {
            throw unsupported();
        }

        @Override
        public Cookie removeCookie(String name, boolean invalidate) {
            throw unsupported();
        }

        @Override
        public Set<Cookie> removeCookies(String name, boolean invalidate) {
            throw unsupported();
        }

        @Override
        public Cookie removeCookie(String name, String domain, String path, boolean invalidate) {
            throw unsupported();
        }

        @Override
        public Future<Void> writeAltSvc(String value) {
            return Future.failedFuture(unsupported());
        }
    }

    /** The connection, as far as the proxy asks about it (addresses, the drain's GOAWAY, close). */
    private static final class Conn implements HttpConnection {
        private final Front front;
        private final SocketAddress remote;
        private final SocketAddress local;
        private final SslHandler ssl;

        Conn(Front front, java.net.SocketAddress remote, java.net.SocketAddress local, SslHandler ssl) {
            this.front = front;
            this.ssl = ssl;
            this.remote = remote instanceof InetSocketAddress r ? SocketAddress.inetSocketAddress(r) : null;
            this.local = local instanceof InetSocketAddress l ? SocketAddress.inetSocketAddress(l) : null;
        }

        @Override
        public HttpVersion protocolVersion() {
            return HttpVersion.HTTP_2;
        }

        @Override
        public HttpConnection goAway(long errorCode, int lastStreamId, Buffer debugData) {
            throw unsupported();
        }

        @Override
        public HttpConnection goAwayHandler(Handler<GoAway> handler) {
            return this;
        }

        @Override
        public HttpConnection shutdownHandler(Handler<Void> handler) {
            return this;
        }

        /** GOAWAY now; the connection closes once its open streams are done, or after {@code timeout}. */
        @Override
        public Future<Void> shutdown(Duration timeout) {
            front.codec.gracefulShutdownTimeoutMillis(timeout.toMillis());
            front.ctx.channel().close();
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> close() {
            front.ctx.channel().close();
            return Future.succeededFuture();
        }

        @Override
        public HttpConnection closeHandler(Handler<Void> handler) {
            return this;
        }

        @Override
        public HttpSettings settings() {
            throw unsupported();
        }

        @Override
        public Future<Void> updateSettings(HttpSettings settings) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public HttpSettings remoteSettings() {
            throw unsupported();
        }

        @Override
        public HttpConnection remoteSettingsHandler(Handler<HttpSettings> handler) {
            return this;
        }

        @Override
        public Future<Buffer> ping(Buffer data) {
            return Future.failedFuture(unsupported());
        }

        @Override
        public HttpConnection pingHandler(Handler<Buffer> handler) {
            return this;
        }

        @Override
        public HttpConnection exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public SocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public SocketAddress remoteAddress(boolean real) {
            return remote;
        }

        @Override
        public SocketAddress localAddress() {
            return local;
        }

        @Override
        public SocketAddress localAddress(boolean real) {
            return local;
        }

        @Override
        public boolean isSsl() {
            return ssl != null;
        }

        @Override
        public javax.net.ssl.SSLSession sslSession() {
            return ssl == null ? null : ssl.engine().getSession();
        }

        @Override
        public String indicatedServerName() {
            return null;
        }
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("not on Pier's h2 front");
    }
}
