package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Vert.x data plane: HTTP/1.1 and h2c servers (one per event loop) that route each request
 * through the current {@link CompiledTable} to a backend endpoint. Tables are compiled on the
 * caller's thread and published with one atomic write; endpoints are swapped on their own.
 */
public final class DataPlane {
    /** Ids for Vert.x shared random ports, so that N instances of one plane bind the same free port. */
    private static final AtomicInteger SHARED_PORT_IDS = new AtomicInteger();

    private final Vertx vertx;
    private final ProxyOptions options;
    private final MeterRegistry metrics;
    private final AtomicReference<CompiledTable> table = new AtomicReference<>(CompiledTable.empty());
    private final EndpointIndex endpoints = new EndpointIndex();
    private final List<ProxyServer> servers = new CopyOnWriteArrayList<>();
    private final Counter swaps;
    private final AtomicLong lastSwapNanos = new AtomicLong();
    private final RouteMetrics noRoute;
    private final Object applyLock = new Object();
    private volatile String deploymentId;

    public DataPlane(Vertx vertx, ProxyOptions options, MeterRegistry metrics) {
        this.vertx = vertx;
        this.options = options;
        this.metrics = metrics;
        this.swaps = Counter.builder("pier.table.swaps").description("Routing tables published").register(metrics);
        TimeGauge.builder("pier.table.swap.duration", lastSwapNanos, TimeUnit.NANOSECONDS, AtomicLong::doubleValue)
                .description("Compile and swap time of the last routing table").register(metrics);
        this.noRoute = new RouteMetrics(metrics, RouteMetrics.NO_ROUTE);
        Gauge.builder("pier.requests.active", this, DataPlane::activeRequests)
                .description("Requests in flight (a websocket until its handshake is done)").register(metrics);
    }

    /** Binds the servers; the future holds the bound port (useful when {@code httpPort} is 0). */
    public Future<Integer> start() {
        SocketAddress bind = options.httpPort() == 0
                ? SocketAddress.sharedRandomPort(SHARED_PORT_IDS.incrementAndGet(), options.host())
                : SocketAddress.inetSocketAddress(options.httpPort(), options.host());
        DeploymentOptions deployment = new DeploymentOptions().setInstances(options.eventLoops());
        return vertx.deployVerticle(() -> {
            ProxyServer server = new ProxyServer(table::get, endpoints, options, bind, noRoute);
            servers.add(server);
            return server;
        }, deployment).map(id -> {
            deploymentId = id;
            return servers.get(0).actualPort();
        });
    }

    /**
     * Compiles {@code routingTable} on the calling thread (never call it on an event loop), then
     * publishes it with one atomic write. Requests in flight keep the table they started with.
     */
    public void apply(RoutingTable routingTable) {
        if (Vertx.currentContext() != null && Vertx.currentContext().isEventLoopContext())
            throw new IllegalStateException("DataPlane.apply compiles a table: call it off the event loops");
        synchronized (applyLock) { // balancer carry-over needs the previous table to be the latest
            long start = System.nanoTime();
            CompiledTable next = CompiledTable.compile(routingTable, table.get(), metrics);
            table.set(next);
            lastSwapNanos.set(System.nanoTime() - start);
            swaps.increment();
        }
    }

    /** Routes left out of the last applied table, each naming the route and field at fault. */
    public List<String> problems() {
        return table.get().problems();
    }

    /** Replaces the whole endpoint index; lists equal to the current ones keep their identity. */
    public void replaceEndpoints(Map<ServiceKey, List<Endpoint>> all) {
        endpoints.replaceAll(all);
    }

    /** Updates only these Services; an empty list means the Service has no endpoints. */
    public void updateEndpoints(Map<ServiceKey, List<Endpoint>> changed) {
        endpoints.update(changed);
    }

    /** Requests in flight over all event loops. */
    public int activeRequests() {
        int sum = 0;
        for (ProxyServer server : servers) sum += server.activeExchanges();
        return sum;
    }

    /**
     * Drain, first part (at SIGTERM): still accepting, but from now on each connection closes
     * after the request it carries (HTTP/1 {@code Connection: close}, HTTP/2 GOAWAY), so
     * keep-alive clients reconnect, through load balancers that are dropping this replica.
     * {@code within} bounds how long such a connection may stay open.
     */
    public void startDraining(Duration within) {
        for (ProxyServer server : servers) server.startDraining(within);
    }

    /**
     * Drain, second part (after the drain delay): stops accepting, closes idle connections, lets
     * requests in flight finish for up to {@code timeout}, then gives each websocket a close
     * frame, and returns once every connection is closed (Vert.x closes what is left at the
     * timeout). Blocks: call it off the event loops.
     */
    public void finishDraining(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Future<Void>> closed = servers.stream().map(server -> server.shutdown(timeout)).toList();
        // Websockets last as long as the requests in flight, and close a moment before the timeout.
        long tunnelsBy = deadline - Math.min(TimeUnit.MILLISECONDS.toNanos(250), timeout.toNanos() / 2);
        while (activeRequests() > 0 && System.nanoTime() < tunnelsBy) Thread.sleep(20);
        for (ProxyServer server : servers) server.closeTunnels();
        long left = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
        try {
            Future.join(closed).await(left, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // Vert.x closes every connection at the timeout; a late close is not worth waiting for.
        }
    }

    public Future<Void> close() {
        String id = deploymentId;
        if (id == null) return Future.succeededFuture();
        deploymentId = null;
        return vertx.undeploy(id);
    }
}
