package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectEncoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.Http1ServerConfig;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpFrame;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpSettings;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.StreamPriority;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.http.impl.headers.Http1xHeaders;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjIntConsumer;

/**
 * Pier's own HTTP/1.1 server on Netty's codec pieces ({@link StrictRequestDecoder}, an HTTP response
 * encoder) on the event loop Vert.x gave the connection: each request is handed to the proxy as a
 * {@link HttpServerRequest} of this class's own, with no Vert.x connection, request or response
 * objects, message queues or context dispatch per request. {@link ConnectionStart} hands it a
 * cleartext connection the moment it knows the connection speaks HTTP/1 (nothing has reached Vert.x's
 * server yet). Requests are answered in order (pipelining: the next head waits until the response
 * before it ended), keep-alive follows the request ({@code Connection}, HTTP/1.0).
 * The default for cleartext HTTP/1 connections; the hidden system property {@code -Dpier.h1front=false}
 * hands them back to Vert.x's server (an escape hatch, not a flag, as {@code pier.h2front} is). TLS,
 * the PROXY protocol, a request whose first bytes came in a read of their own, and the byte tunnel
 * after a websocket's 101 stay on Vert.x's server.
 */
final class H1Front {
    /** Read per connection: on unless {@code -Dpier.h1front=false}; a test turns it off around its class. */
    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("pier.h1front"));
    static final String ENCODER = "httpEncoder";

    /** The proxy instance serving a port on one event loop: its context, request handler and answer to a refused head. */
    private record Served(ContextInternal context, Handler<HttpServerRequest> handler, ObjIntConsumer<HttpServerRequest> refused,
                          ServerHeader serverHeader) {
    }

    private static final Map<Integer, Map<EventLoop, Served>> SERVERS = new ConcurrentHashMap<>();
    private static final LongAdder TAKEN = new LongAdder();

    private H1Front() {
    }

    static boolean enabled() {
        return enabled;
    }

    /** For tests: new HTTP/1 connections go to the front (true) or to Vert.x's server (false). */
    static void enabled(boolean on) {
        enabled = on;
    }

    /** Connections the front has taken since start (tests check that theirs went through it). */
    static long taken() {
        return TAKEN.sum();
    }

    static void serve(int port, ContextInternal context, Handler<HttpServerRequest> handler,
                      ObjIntConsumer<HttpServerRequest> refused, String serverHeader) {
        SERVERS.computeIfAbsent(port, p -> new ConcurrentHashMap<>())
                .put(context.nettyEventLoop(), new Served(context, handler, refused, new ServerHeader(serverHeader)));
    }

    static void stop(int port, EventLoop loop) {
        Map<EventLoop, Served> loops = SERVERS.get(port);
        if (loops != null) loops.remove(loop);
    }

    /**
     * Takes an HTTP/1 connection before Vert.x's server has seen a byte of it: Vert.x's handlers after
     * {@link ConnectionStart} are replaced by the strict decoder, the encoder, the {@link Http1Guard} and
     * the front. Returns the guard, or null when no proxy instance serves this port and loop here.
     */
    static Http1Guard take(Channel channel, EdgeTransport.PortEdge edge, long accepted) {
        if (!enabled || !(channel.localAddress() instanceof InetSocketAddress local)) return null;
        Map<EventLoop, Served> loops = SERVERS.get(local.getPort());
        Served served = loops == null ? null : loops.get(channel.eventLoop());
        if (served == null) return null;
        ChannelPipeline pipeline = channel.pipeline();
        boolean behind = false;
        for (String name : pipeline.names()) {
            if (behind && pipeline.get(name) != null) pipeline.remove(name);
            if (name.equals(ConnectionStart.NAME)) behind = true;
        }
        EdgePolicy policy = edge.policy();
        Http1ServerConfig config = new Http1ServerConfig()
                .setMaxInitialLineLength(policy.maxRequestLineBytes())
                .setMaxHeaderSize(policy.maxHeaderBytes())
                .setMaxChunkSize(HttpServerOptions.DEFAULT_MAX_CHUNK_SIZE)
                .setDecoderInitialBufferSize(HttpServerOptions.DEFAULT_DECODER_INITIAL_BUFFER_SIZE);
        Http1Guard guard = new Http1Guard(policy, edge.serverHeader(), accepted, edge.recorder());
        Encoder encoder = new Encoder();
        Front front = new Front(served, channel, encoder);
        pipeline.addAfter(ConnectionStart.NAME, "pier-h1-context", new H2Front.InContext(served.context()));
        pipeline.addAfter("pier-h1-context", Http1Guard.DECODER, new StrictRequestDecoder(config));
        pipeline.addAfter(Http1Guard.DECODER, ENCODER, encoder);
        pipeline.addAfter(ENCODER, Http1Guard.NAME, guard);
        pipeline.addAfter(Http1Guard.NAME, "pier-h1-front", front);
        TAKEN.increment();
        return guard;
    }

    /**
     * Whether a connection's first read may go to the front: it holds a whole request head, and the
     * head does not mention h2c (an {@code Upgrade: h2c} stays on Vert.x's server, which answers it).
     */
    static boolean firstHeadIsPlainHttp1(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int headEnd = -1;
        for (int i = start; i + 3 < end; i++) {
            if (buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n' && buf.getByte(i + 2) == '\r' && buf.getByte(i + 3) == '\n') {
                headEnd = i;
                break;
            }
        }
        if (headEnd < 0) return false;
        for (int i = start; i + 2 < headEnd; i++) {
            if ((buf.getByte(i) | 0x20) == 'h' && buf.getByte(i + 1) == '2' && (buf.getByte(i + 2) | 0x20) == 'c') return false;
        }
        return true;
    }

    /** Netty's response encoder that knows when a response answers HEAD, and writes Vert.x's headers its own fast way. */
    private static final class Encoder extends HttpResponseEncoder {
        boolean head;

        @Override
        protected void encodeHeaders(io.netty.handler.codec.http.HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof Http1xHeaders h) h.encode(buf, false);
            else super.encodeHeaders(headers, buf);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            return head || super.isContentAlwaysEmpty(msg);
        }
    }

    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(Unpooled.directBuffer(25)
            .writeBytes("HTTP/1.1 100 Continue\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).asReadOnly();

    /** One connection: reads requests in order, one response at a time. */
    static final class Front extends ChannelInboundHandlerAdapter implements HttpConnection {
        private final Served served;
        private final Channel channel;
        private final Encoder encoder;
        private final SocketAddress remote;
        private final SocketAddress local;
        ChannelHandlerContext ctx;
        /** The request whose body is being read (gets the content messages). */
        private Req reading;
        /** The request whose response is not yet ended. */
        private Req responding;
        /** Messages read after a head that must wait for the response before it (pipelining). */
        private ArrayDeque<Object> backlog;
        /** Close once the response in flight has ended (Connection: close, HTTP/1.0, a drain). */
        private boolean closeAfterResponse;
        private boolean closed;
        /** In this connection's read: writes are flushed once at its end (a response written by the handler itself). */
        private boolean inRead;
        private boolean flushPending;

        Front(Served served, Channel channel, Encoder encoder) {
            this.served = served;
            this.channel = channel;
            this.encoder = encoder;
            this.remote = channel.remoteAddress() instanceof InetSocketAddress r ? SocketAddress.inetSocketAddress(r) : null;
            this.local = channel.localAddress() instanceof InetSocketAddress l ? SocketAddress.inetSocketAddress(l) : null;
        }

        Channel channel() {
            return channel;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inRead = false;
            if (flushPending) {
                flushPending = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        /** Writes, flushing now unless this connection's own read is under way (then once at its end). */
        io.netty.channel.ChannelFuture write(Object msg) {
            if (inRead) {
                flushPending = true;
                return ctx.write(msg);
            }
            return ctx.writeAndFlush(msg);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inRead = true;
            if (closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (backlog != null) {
                backlog.add(msg);
                return;
            }
            dispatch(msg);
        }

        private void dispatch(Object msg) {
            if (msg instanceof HttpRequest head) {
                if (responding != null || reading != null) { // pipelined: waits for the response before it
                    backlog = new ArrayDeque<>();
                    backlog.add(msg);
                    channel.config().setAutoRead(false);
                    return;
                }
                begin(head);
                if (msg instanceof HttpContent content) content(content);
                return;
            }
            if (msg instanceof HttpContent content) {
                content(content);
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        private void begin(HttpRequest head) {
            boolean keepAlive = HttpUtils.isKeepAlive(head);
            if (!keepAlive) closeAfterResponse = true;
            Req req = new Req(this, head, keepAlive);
            reading = req;
            responding = req;
            if (head.decoderResult().isFailure()) {
                Listener.refuse(req, served.serverHeader(), served.refused());
                return;
            }
            if (HttpUtil.is100ContinueExpected(head)) {
                ctx.pipeline().context(ENCODER).writeAndFlush(CONTINUE.duplicate());
            }
            served.handler().handle(req);
        }

        private void content(HttpContent content) {
            Req req = reading;
            boolean last = content instanceof LastHttpContent;
            if (req == null) {
                content.release();
                return;
            }
            if (last) reading = null;
            req.contentRead(content, last);
            if (last && responding == null) {
                if (closeAfterResponse) closeAfterWrites();
                else next();
            }
        }

        /** The response in flight ended: close, or go on with what was read after its request. */
        void responseEnded(Req req) {
            if (responding != req) return;
            responding = null;
            if (closeAfterResponse) return; // closed after the response's write, or once the request's body is read
            if (reading == null) next();
        }

        /** Goes on with what was read while a response was in flight: a head waits until the one before it is answered. */
        private void next() {
            while (backlog != null) {
                Object msg = backlog.peek();
                if (msg == null) {
                    backlog = null;
                    channel.config().setAutoRead(true);
                    return;
                }
                if (msg instanceof HttpRequest && (responding != null || reading != null)) return;
                backlog.poll();
                dispatch(msg);
            }
        }

        /** An abort (a reset): what is not yet written is dropped. */
        void closeNow() {
            closed = true;
            channel.close();
        }

        /** The close after what was written so far has gone out. */
        void closeAfterWrites() {
            if (closed) return;
            closed = true;
            ctx.pipeline().context(ENCODER).writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        void updateAutoRead(boolean read) {
            if (backlog == null) channel.config().setAutoRead(read);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            if (backlog != null) {
                for (Object msg : backlog) ReferenceCountUtil.release(msg);
                backlog = null;
            }
            Req r = reading;
            Req s = responding;
            reading = null;
            responding = null;
            if (r != null) r.gone();
            if (s != null && s != r) s.gone();
        }

        /** Vert.x's server shutting down (a drain) tells every channel of its port: close after the response in flight. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof io.vertx.core.net.impl.ShutdownEvent shutdown) {
                shutdown(shutdown.timeout());
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Req s = responding;
            if (s != null && channel.isWritable()) s.response.drained();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        // ---- HttpConnection ----

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

        /** The connection closes once the response in flight has ended (or now when there is none). */
        @Override
        public Future<Void> shutdown(Duration timeout) {
            closeAfterResponse = true;
            if (responding == null && reading == null) closeAfterWrites();
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> close() {
            closeAfterWrites();
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
            return false;
        }

        @Override
        public javax.net.ssl.SSLSession sslSession() {
            return null;
        }

        @Override
        public String indicatedServerName() {
            return null;
        }

        @Override
        public HttpVersion protocolVersion() {
            return HttpVersion.HTTP_1_1;
        }
    }

    /** One request, as the proxy reads it. */
    static final class Req implements HttpServerRequest {
        final Front front;
        final HttpRequest head;
        final Resp response;
        final boolean keepAlive;
        private final HttpVersion version;
        private final Http1xHeaders headers;
        private HttpMethod method;
        private String path;
        private String query;
        private HostAndPort authority;
        private boolean authorityParsed;
        private boolean ended;
        private boolean paused;
        private boolean gone;
        private long bytesRead;
        private Handler<Buffer> dataHandler;
        private Handler<Void> endHandler;
        private Handler<Throwable> exceptionHandler;
        /** Content read while paused. */
        private ArrayDeque<Buffer> pending;
        private boolean endPending;

        Req(Front front, HttpRequest head, boolean keepAlive) {
            this.front = front;
            this.head = head;
            this.keepAlive = keepAlive;
            this.version = head.protocolVersion() == io.netty.handler.codec.http.HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0
                    : HttpVersion.HTTP_1_1;
            // StrictRequestDecoder's heads carry Vert.x's headers; the one Netty makes for a line it cannot read has none
            this.headers = head.headers() instanceof Http1xHeaders h ? h : Http1xHeaders.httpHeaders();
            this.response = new Resp(this);
        }

        void contentRead(HttpContent content, boolean last) {
            ByteBuf data = content.content();
            if (data.isReadable()) {
                bytesRead += data.readableBytes();
                Buffer chunk = BufferInternal.safeBuffer(data);
                if (paused || pending != null) {
                    if (pending == null) pending = new ArrayDeque<>();
                    pending.add(chunk);
                    front.updateAutoRead(false);
                } else if (dataHandler != null) {
                    dataHandler.handle(chunk);
                }
            } else {
                content.release();
            }
            if (last) {
                ended = true;
                if (paused || pending != null) endPending = true;
                else if (endHandler != null) endHandler.handle(null);
            }
        }

        private void deliver() {
            while (pending != null && !paused) {
                Buffer chunk = pending.poll();
                if (chunk == null) {
                    pending = null;
                    front.updateAutoRead(true);
                    break;
                }
                if (dataHandler != null) dataHandler.handle(chunk);
            }
            if (pending == null && !paused && endPending) {
                endPending = false;
                if (endHandler != null) endHandler.handle(null);
            }
        }

        void gone() {
            if (gone) return;
            gone = true;
            if (!ended && exceptionHandler != null) exceptionHandler.handle(CLOSED);
            response.gone();
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
            if (pending != null || endPending) deliver();
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
            return version;
        }

        @Override
        public HttpMethod method() {
            if (method == null) method = HttpMethod.fromNetty(head.method());
            return method;
        }

        @Override
        public String uri() {
            return head.uri();
        }

        @Override
        public String path() {
            if (path == null) path = HttpUtils.parsePath(head.uri());
            return path;
        }

        @Override
        public String query() {
            if (query == null) query = HttpUtils.parseQuery(head.uri());
            return query;
        }

        @Override
        public MultiMap headers() {
            return headers;
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public HostAndPort authority() {
            if (!authorityParsed) {
                authorityParsed = true;
                String host = headers.get(HttpHeaderNames.HOST);
                if (host != null) authority = HostAndPort.parseAuthority(host, -1);
            }
            return authority;
        }

        @Override
        public HostAndPort authority(boolean real) {
            return real ? null : authority();
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
            return "http://" + headers.get(HttpHeaderNames.HOST) + uri();
        }

        @Override
        public Future<Buffer> body() {
            throw unsupported();
        }

        @Override
        public Future<Void> end() {
            throw unsupported();
        }

        /**
         * After a backend's 101 (a websocket): the 101 goes out, then the connection becomes a plain
         * Vert.x socket in this handler's place, as Vert.x's server does; the guard stays for the idle bound.
         */
        @Override
        public Future<NetSocket> toNetSocket() {
            if (response.headWritten || !HttpUtils.isConnectOrUpgrade(method(), headers)) {
                return Future.failedFuture("the response was sent, or the request asks for no upgrade");
            }
            response.setStatusCode(101);
            response.prepareHead(-1);
            front.ctx.writeAndFlush(new DefaultHttpResponse(response.nettyVersion(), response.nettyStatus(), response.headers));
            ChannelPipeline pipeline = front.ctx.pipeline();
            ContextInternal context = front.served.context();
            io.vertx.core.net.impl.VertxHandler<io.vertx.core.net.impl.tcp.NetSocketImpl> socket = io.vertx.core.net.impl.VertxHandler.create(
                    c -> new io.vertx.core.net.impl.tcp.NetSocketImpl(context, c, null, null, null, false));
            pipeline.replace(front, "handler", socket); // first, so bytes the decoder still holds reach the socket
            pipeline.remove(Http1Guard.DECODER);
            pipeline.remove(ENCODER);
            return Future.succeededFuture(socket.getConnection());
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
        public boolean isEnded() {
            return ended && pending == null;
        }

        @Override
        public HttpServerRequest customFrameHandler(Handler<HttpFrame> handler) {
            return this;
        }

        @Override
        public HttpConnection connection() {
            return front;
        }

        @Override
        public HttpServerRequest streamPriorityHandler(Handler<StreamPriority> handler) {
            return this;
        }

        @Override
        public DecoderResult decoderResult() {
            return head.decoderResult();
        }

        /** The first cookie of that name in the request's {@code Cookie} fields (a hash-on-cookie balancer reads it). */
        @Override
        public Cookie getCookie(String name) {
            for (String field : headers.getAll(HttpHeaderNames.COOKIE)) {
                for (io.netty.handler.codec.http.cookie.Cookie c : ServerCookieDecoder.STRICT.decodeAll(field)) {
                    if (c.name().equals(name)) return Cookie.cookie(c.name(), c.value());
                }
            }
            return null;
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

    /** One request's response, written straight into the encoder. */
    static final class Resp implements HttpServerResponse {
        private final Req req;
        private final Http1xHeaders headers = Http1xHeaders.httpHeaders();
        private Http1xHeaders trailers;
        private HttpResponseStatus status = HttpResponseStatus.OK;
        private String statusMessage;
        private boolean chunked;
        /** No length and not chunked: the body ends with the connection. */
        private boolean closeDelimited;
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

        Resp(Req req) {
            this.req = req;
        }

        void drained() {
            Handler<Void> h = drainHandler;
            if (h != null) h.handle(null);
        }

        void gone() {
            if (closed) return;
            closed = true;
            if (!ended && exceptionHandler != null) exceptionHandler.handle(CLOSED);
            if (closeHandler != null) closeHandler.handle(null);
        }

        private Front front() {
            return req.front;
        }

        private void checkOpen() {
            if (ended) throw new IllegalStateException("Response has already been written");
            if (closed) throw new IllegalStateException("Connection is closed");
        }

        HttpResponseStatus nettyStatus() {
            return statusMessage == null ? status : new HttpResponseStatus(status.code(), statusMessage);
        }

        /** Connection and framing headers as the request and the body ask; {@code length} when the whole body is known. */
        void prepareHead(long length) {
            boolean head = req.method() == HttpMethod.HEAD;
            if (!req.keepAlive || front().closeAfterResponse) {
                if (req.version == HttpVersion.HTTP_1_1) headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            } else if (req.version == HttpVersion.HTTP_1_0) {
                headers.set(HttpHeaders.CONNECTION, HttpHeaders.KEEP_ALIVE);
            }
            if (head || status.code() == 304) {
                headers.remove(HttpHeaders.TRANSFER_ENCODING);
            } else if (chunked) {
                headers.set(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED);
                headers.remove(HttpHeaders.CONTENT_LENGTH);
            } else if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && !headers.contains(HttpHeaders.TRANSFER_ENCODING)) {
                if (length >= 0) {
                    if (status.code() != 204 && status.code() >= 200) headers.set(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
                } else if (status.code() != 204 && status.code() >= 200) {
                    closeDelimited = true;
                }
            }
            front().encoder.head = head;
            if (headersEndHandler != null) headersEndHandler.handle(null);
            if (closeDelimited || headers.contains(HttpHeaders.CONNECTION, HttpHeaders.CLOSE, true)) {
                front().closeAfterResponse = true;
            }
            headWritten = true;
        }

        io.netty.handler.codec.http.HttpVersion nettyVersion() {
            return req.version == HttpVersion.HTTP_1_0 ? io.netty.handler.codec.http.HttpVersion.HTTP_1_0
                    : io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
        }

        private Future<Void> finish(Buffer body) {
            checkOpen();
            ByteBuf data = body == null ? Unpooled.EMPTY_BUFFER : ((BufferInternal) body).unwrap().retainedDuplicate();
            bytesWritten += data.readableBytes();
            Object msg;
            if (!headWritten) {
                prepareHead(data.readableBytes());
                msg = new DefaultFullHttpResponse(nettyVersion(), nettyStatus(), data, headers,
                        trailers == null ? Http1xHeaders.httpHeaders() : trailers);
            } else if (chunked && trailers != null && !trailers.isEmpty()) {
                msg = new DefaultLastHttpContent(data, trailers);
            } else {
                msg = data.isReadable() ? new DefaultLastHttpContent(data) : LastHttpContent.EMPTY_LAST_CONTENT;
            }
            ended = true;
            Front front = front();
            if (front.closeAfterResponse && front.reading == null) {
                front.closed = true;
                front.write(msg).addListener(ChannelFutureListener.CLOSE);
            } else {
                front.write(msg);
            }
            if (bodyEndHandler != null) bodyEndHandler.handle(null);
            if (endHandler != null) endHandler.handle(null);
            front.responseEnded(req);
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
            Front front = front();
            if (!headWritten) {
                prepareHead(-1);
                front.ctx.write(new DefaultHttpResponse(nettyVersion(), nettyStatus(), headers));
            }
            ByteBuf buf = ((BufferInternal) data).unwrap().retainedDuplicate();
            bytesWritten += buf.readableBytes();
            front.write(new DefaultHttpContent(buf));
            return Future.succeededFuture();
        }

        @Override
        public HttpServerResponse setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return !front().channel.isWritable();
        }

        @Override
        public HttpServerResponse drainHandler(Handler<Void> handler) {
            drainHandler = handler;
            return this;
        }

        @Override
        public int getStatusCode() {
            return status.code();
        }

        @Override
        public HttpServerResponse setStatusCode(int statusCode) {
            status = HttpResponseStatus.valueOf(statusCode);
            return this;
        }

        @Override
        public String getStatusMessage() {
            return statusMessage != null ? statusMessage : status.reasonPhrase();
        }

        @Override
        public HttpServerResponse setStatusMessage(String message) {
            statusMessage = message;
            return this;
        }

        @Override
        public HttpServerResponse setChunked(boolean chunked) {
            if (req.version == HttpVersion.HTTP_1_1) this.chunked = chunked;
            return this;
        }

        @Override
        public boolean isChunked() {
            return chunked;
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
            if (trailers == null) trailers = Http1xHeaders.httpHeaders();
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
            if (!headWritten) {
                prepareHead(-1);
                front().write(new DefaultHttpResponse(nettyVersion(), nettyStatus(), headers));
            }
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
            front().ctx.pipeline().context(ENCODER).writeAndFlush(CONTINUE.duplicate());
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
            return -1;
        }

        @Override
        public Future<HttpServerResponse> push(HttpMethod method, HostAndPort authority, String path, MultiMap headers) {
            return Future.failedFuture(unsupported());
        }

        /** HTTP/1 has no stream to reset: the connection goes. */
        @Override
        public Future<Void> reset(long code) {
            ended = true;
            front().closeNow();
            return Future.succeededFuture();
        }

        @Override
        public Future<Boolean> cancel() {
            reset(0);
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

    private static final HttpClosedException CLOSED = new HttpClosedException("Connection was closed");

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("not on Pier's HTTP/1 front");
    }
}
