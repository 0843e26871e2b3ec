package dev.pier.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.net.TcpOption;
import io.vertx.core.spi.transport.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Vert.x's own transport (the one {@link IoTransport} chooses: epoll, io_uring or NIO) with one addition: every server socket
 * gets an accept gate, so a proxy port sees each connection the moment it is accepted. There
 * the connection limit refuses at once (the descriptor is given back before any byte is read), and
 * the connection's first handler starts the request-head clock and, on a cleartext port, puts
 * Pier's strict request decoder in before the first byte is parsed. Vert.x's public API reports a
 * connection only after its first request head on a port that also speaks h2c, too late for all three.
 */
public final class EdgeTransport implements Transport {
    private final Transport delegate;
    private final String name;
    private final Map<Integer, PortEdge> ports = new ConcurrentHashMap<>();

    /**
     * What a guarded port enforces; {@code open} counts its connections; {@code recorder} counts
     * the answers the edge gives where no request reached Vert.x.
     */
    record PortEdge(EdgePolicy policy, AtomicInteger open, AtomicInteger refused, String serverHeader, boolean cleartext,
                    ExchangeRecorder recorder) {
    }

    private EdgeTransport(Transport delegate, String name) {
        this.delegate = delegate;
        this.name = name;
    }

    /** A Vert.x instance on the edge transport; every data plane needs one. Epoll where the options prefer native. */
    public static Vertx vertx(VertxOptions options) {
        return vertx(options, options.getPreferNativeTransport() ? IoTransport.AUTO : IoTransport.NIO);
    }

    /** The same on the transport {@code choice} names; an explicit choice that cannot load here throws, naming why. */
    public static Vertx vertx(VertxOptions options, IoTransport choice) {
        io.vertx.core.transport.Transport base = choice.resolve();
        EdgeTransport edge = new EdgeTransport(((TransportInternal) base).implementation(), base.name());
        return Vertx.builder().with(options)
                .withTransport(new TransportInternal(base.name(), true, null, edge))
                .build();
    }

    /** The edge transport of {@code vertx}, or null when it was built without one. */
    static EdgeTransport of(Vertx vertx) {
        return vertx instanceof VertxInternal internal && internal.transport() instanceof EdgeTransport edge ? edge : null;
    }

    /** The transport's name as Vert.x reports it: epoll, io_uring or nio. */
    public String name() {
        return name;
    }

    void guard(int port, PortEdge edge) {
        ports.put(port, edge);
    }

    void release(int port) {
        ports.remove(port);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
        delegate.configure(config, domainSocket, bootstrap);
        // Netty's config of each accepted socket already turns TCP_NODELAY on, and SO_KEEPALIVE is off
        // until set: Vert.x's child options would set both again, two of ~21 syscalls per new connection.
        if (!domainSocket && Boolean.TRUE.equals(config.getOption(TcpOption.NODELAY))
                && PlatformDependent.canEnableTcpNoDelayByDefault()) {
            bootstrap.childOption(ChannelOption.TCP_NODELAY, null);
        }
        if (!domainSocket && !config.isSoKeepAlive()) bootstrap.childOption(ChannelOption.SO_KEEPALIVE, null);
        bootstrap.handler(new AcceptGate());
    }

    /** On a server socket's pipeline: sees each accepted connection before Vert.x sets it up. */
    private final class AcceptGate extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            SocketAddress local = ctx.channel().localAddress();
            PortEdge edge = local instanceof InetSocketAddress inet ? ports.get(inet.getPort()) : null;
            if (edge == null || !(msg instanceof Channel child)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (edge.open().incrementAndGet() > edge.policy().maxConnections()) {
                edge.open().decrementAndGet();
                edge.refused().incrementAndGet();
                child.unsafe().closeForcibly(); // not registered yet: the descriptor goes back at once
                return;
            }
            child.closeFuture().addListener(f -> edge.open().decrementAndGet());
            child.pipeline().addFirst(ConnectionStart.NAME, new ConnectionStart(edge));
            ctx.fireChannelRead(child);
        }
    }

    // ---- the rest is Vert.x's transport as it is ---------------------------------------------

    @Override
    public boolean supportsDomainSockets() {
        return delegate.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
        return delegate.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return delegate.unavailabilityCause();
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        return delegate.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
        return delegate.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return delegate.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
        return delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return delegate.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
        return delegate.datagramChannelFactory();
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return delegate.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        return delegate.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        delegate.configure(channel, options);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
        delegate.configure(config, domainSocket, bootstrap);
    }
}
