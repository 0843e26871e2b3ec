package dev.pier.proxy;

import dev.pier.model.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One event loop's HTTP/1.1 connections to backends, per endpoint: idle ones (the most recently
 * used first), a bound on how many are open, and a bounded queue of tries waiting for one. A try
 * gets an idle connection, else a new one while under the bound, else a place in the queue (503 when
 * it is full), where it waits at most its connect timeout (504). Connections idle longer than the
 * keep-alive bound are closed. Only its event loop touches it, so plain collections.
 */
final class BackendPool {
    /** How long a connection may stay idle before Pier closes it (Vert.x's client default). */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** A try asking for a connection: exactly one of the two is called, on the event loop. */
    interface Waiter {
        void acquired(BackendConnection connection);

        /** No connection: {@link ConnectionPoolTooBusyException} (queue full), {@link TimeoutException} (waited too long), or the connect's failure. */
        void connectFailed(Throwable cause);
    }

    private final Vertx vertx;
    private final EventLoop loop;
    private final ChannelFactory<? extends Channel> channels;
    private final int maxPerEndpoint;
    private final int maxWaitQueue;
    private final long keepAliveNanos;
    private final Map<Endpoint, Endpoints> byEndpoint = new HashMap<>();
    private final long sweepTimer;
    private boolean closed;

    BackendPool(Vertx vertx, EventLoop loop, ChannelFactory<? extends Channel> channels, int maxPerEndpoint, int maxWaitQueue,
                long keepAliveNanos) {
        this.vertx = vertx;
        this.loop = loop;
        this.channels = channels;
        this.maxPerEndpoint = maxPerEndpoint;
        this.maxWaitQueue = maxWaitQueue;
        this.keepAliveNanos = keepAliveNanos;
        long every = Math.max(100, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(keepAliveNanos) / 4));
        this.sweepTimer = vertx.setPeriodic(every, id -> closeExpired());
    }

    /** The connections to {@code endpoint}; null when its host is a DNS name, not an address (Vert.x's client resolves those). */
    Endpoints of(Endpoint endpoint) {
        Endpoints e = byEndpoint.get(endpoint);
        if (e == null) {
            byte[] ip = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
            if (ip == null) return null;
            try {
                e = new Endpoints(endpoint, new InetSocketAddress(InetAddress.getByAddress(ip), endpoint.port()));
            } catch (java.net.UnknownHostException impossible) {
                return null; // an address of a valid length always makes an InetAddress
            }
            byEndpoint.put(endpoint, e);
        }
        return e;
    }

    /** Open connections (connected or connecting) to {@code endpoint}, for tests. */
    int open(Endpoint endpoint) {
        Endpoints e = byEndpoint.get(endpoint);
        return e == null ? 0 : e.open;
    }

    /** Closes every connection and fails every waiting try; used when the event loop's server stops. */
    void close() {
        if (closed) return;
        closed = true;
        vertx.cancelTimer(sweepTimer);
        for (Endpoints e : List.copyOf(byEndpoint.values())) {
            for (Ask a : new ArrayList<>(e.waiting)) a.fail(new ConnectionPoolTooBusyException("the data plane is closing"));
            e.waiting.clear();
            for (BackendConnection c : new ArrayList<>(e.idle)) c.close();
            e.idle.clear();
            for (BackendConnection c : new ArrayList<>(e.all)) c.close();
        }
    }

    private void closeExpired() {
        long now = System.nanoTime();
        for (Endpoints e : byEndpoint.values()) {
            BackendConnection oldest;
            while ((oldest = e.idle.peekFirst()) != null && now - oldest.idleSince > keepAliveNanos) {
                e.idle.pollFirst();
                oldest.close();
            }
        }
    }

    /** One endpoint's connections. */
    final class Endpoints {
        final Endpoint endpoint;
        final InetSocketAddress address;
        /** The Host a request without one gets: the endpoint, as Vert.x's client wrote it. */
        final String hostHeader;
        /** Idle connections; the last one is the most recently used. */
        private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
        private final ArrayDeque<Ask> waiting = new ArrayDeque<>();
        /** Every connected connection, idle or carrying an exchange. */
        private final java.util.Set<BackendConnection> all = new java.util.HashSet<>();
        /** Connections connected or connecting. */
        private int open;

        private Endpoints(Endpoint endpoint, InetSocketAddress address) {
            this.endpoint = endpoint;
            this.address = address;
            String host = endpoint.host().indexOf(':') >= 0 ? "[" + endpoint.host() + "]" : endpoint.host();
            this.hostHeader = endpoint.port() == 80 ? host : host + ":" + endpoint.port();
        }

        /**
         * Asks for a connection for {@code waiter}; it is told at once when one is idle or the ask is
         * refused, else later. The returned ask cancels the wait ({@link Ask#cancel}); null when the
         * waiter was told already.
         */
        Ask acquire(Waiter waiter, long connectTimeoutMs) {
            BackendConnection c;
            while ((c = idle.pollLast()) != null) {
                if (c.usable()) {
                    waiter.acquired(c);
                    return null;
                }
                c.close();
            }
            if (closed) {
                waiter.connectFailed(new ConnectionPoolTooBusyException("the data plane is closing"));
                return null;
            }
            long timeout = connectTimeoutMs > 0 ? connectTimeoutMs : Integer.MAX_VALUE;
            if (open < maxPerEndpoint) {
                Ask a = new Ask(this, waiter, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout));
                connect(a);
                return a;
            }
            if (waiting.size() >= maxWaitQueue) {
                waiter.connectFailed(new ConnectionPoolTooBusyException("connection pool of " + endpoint + " full: " + open
                        + " connections, " + waiting.size() + " waiting"));
                return null;
            }
            Ask a = new Ask(this, waiter, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout));
            a.timer = vertx.setTimer(timeout, id -> {
                a.timer = -1;
                waiting.remove(a);
                a.fail(new TimeoutException("no connection to " + endpoint + " within " + timeout + " ms"));
            });
            waiting.addLast(a);
            return a;
        }

        private void connect(Ask a) {
            open++;
            BackendConnection c = new BackendConnection(this);
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(a.deadlineNanos - System.nanoTime()));
            Bootstrap bootstrap = new Bootstrap().group(loop).channelFactory(channels)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, left))
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            c.install(channel);
                        }
                    });
            bootstrap.connect(address).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    all.add(c);
                    if (closed) {
                        c.close();
                        a.fail(new ConnectionPoolTooBusyException("the data plane is closing"));
                    } else {
                        a.deliver(c);
                    }
                } else {
                    open--;
                    a.fail(f.cause());
                    replenish();
                    forgetIfUnused();
                }
            });
        }

        /** A connection is free again: the longest waiting try gets it, else it waits idle. */
        void recycle(BackendConnection c) {
            if (closed || !c.usable()) {
                c.close();
                return;
            }
            Ask next = waiting.pollFirst();
            if (next != null) {
                next.deliver(c);
                return;
            }
            c.idleSince = System.nanoTime();
            idle.addLast(c);
        }

        /** A connected connection closed (by either side). */
        void closed(BackendConnection c) {
            if (!all.remove(c)) return;
            open--;
            idle.remove(c);
            replenish();
            forgetIfUnused();
        }

        /** Room under the bound and tries waiting: connect for them. */
        private void replenish() {
            while (!closed && open < maxPerEndpoint && !waiting.isEmpty()) {
                Ask next = waiting.pollFirst();
                if (next.timer >= 0) {
                    vertx.cancelTimer(next.timer);
                    next.timer = -1;
                }
                connect(next);
            }
        }

        /** An endpoint with nothing open and nobody waiting is dropped, so endpoint churn leaves nothing behind. */
        private void forgetIfUnused() {
            if (open == 0 && waiting.isEmpty() && idle.isEmpty()) byEndpoint.remove(endpoint, this);
        }
    }

    /** One try's ask for a connection: answered once, by a connection or a failure, unless cancelled first. */
    final class Ask {
        private final Endpoints endpoints;
        private final Waiter waiter;
        private final long deadlineNanos;
        private long timer = -1;
        private boolean done;

        private Ask(Endpoints endpoints, Waiter waiter, long deadlineNanos) {
            this.endpoints = endpoints;
            this.waiter = waiter;
            this.deadlineNanos = deadlineNanos;
        }

        private void deliver(BackendConnection c) {
            if (done) {
                endpoints.recycle(c); // the try went away while it waited
                return;
            }
            done = true;
            stopTimer();
            waiter.acquired(c);
        }

        private void fail(Throwable cause) {
            if (done) return;
            done = true;
            stopTimer();
            waiter.connectFailed(cause);
        }

        /** The try no longer wants a connection; one that arrives later goes back to the pool. */
        void cancel() {
            if (done) return;
            done = true;
            stopTimer();
            endpoints.waiting.remove(this);
        }

        private void stopTimer() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
