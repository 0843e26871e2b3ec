package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import dev.pier.tls.GeneratedCertificate;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Vert.x data plane: HTTP/1.1 + h2c and HTTPS (HTTP/1.1 + h2 by ALPN) servers, one of each per
 * event loop, that route each request through the current {@link CompiledTable} to a backend
 * endpoint. Tables are compiled on the caller's thread and published with one atomic write, their
 * certificates ({@link CertificateMap}) under the same lock just before; endpoints are swapped on
 * their own.
 */
public final class DataPlane {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);
    /** Ids for Vert.x shared random ports, so that N instances of one plane bind the same free port. */
    private static final AtomicInteger SHARED_PORT_IDS = new AtomicInteger();

    private final Vertx vertx;
    private final ProxyOptions options;
    private final MeterRegistry metrics;
    private final AtomicReference<CompiledTable> table = new AtomicReference<>(CompiledTable.empty());
    /** HTTP-01 answers, published with the table they came in. */
    private final AtomicReference<AcmeAnswers> acmeAnswers = new AtomicReference<>(AcmeAnswers.NONE);
    private final EndpointIndex endpoints = new EndpointIndex();
    private final List<ProxyServer> servers = new CopyOnWriteArrayList<>();
    private final Counter swaps;
    private final AtomicLong lastSwapNanos = new AtomicLong();
    private final ExchangeRecorder recorder;
    /** Client connections open on the proxy ports, counted against {@link EdgePolicy#maxConnections()}. */
    private final AtomicInteger openConnections = new AtomicInteger();
    /** Connections refused at accept because {@link EdgePolicy#maxConnections()} were open. */
    private final AtomicInteger refusedConnections = new AtomicInteger();
    private final EdgeTransport edge;
    private final List<Integer> guardedPorts = new CopyOnWriteArrayList<>();
    private final BackendHealth health;
    /** The rpc handler's descriptors per endpoint; entries of endpoints that leave their Service go. */
    private final ReflectionCache reflection = new ReflectionCache();
    /** Serializes table swaps and endpoint changes, so every balancer ends up with its Service's latest list. */
    private final Object writeLock = new Object();
    private volatile String deploymentId;
    /** Null when HTTPS is off. */
    private final HttpsSetup https;
    /** The certificates handshakes choose from; the one they replaced, for a handshake that chose just before a swap. */
    private final AtomicReference<CertificateMap> certificates = new AtomicReference<>();
    private volatile CertificateMap replacedCertificates;
    /** Served when the table names no default certificate; made at start, never written anywhere. */
    private CertificateMap.Entry generatedDefault;
    private volatile int httpsPort = -1;

    public DataPlane(Vertx vertx, ProxyOptions options, MeterRegistry metrics) {
        this(vertx, options, OutlierOptions.DEFAULTS, metrics, Observability.NONE);
    }

    public DataPlane(Vertx vertx, ProxyOptions options, OutlierOptions outlier, MeterRegistry metrics) {
        this(vertx, options, outlier, metrics, Observability.NONE);
    }

    public DataPlane(Vertx vertx, ProxyOptions options, OutlierOptions outlier, MeterRegistry metrics, Observability observability) {
        this.vertx = vertx;
        this.options = options;
        this.metrics = metrics;
        this.swaps = Counter.builder("pier.table.swaps").description("Routing tables published").register(metrics);
        TimeGauge.builder("pier.table.swap.duration", lastSwapNanos, TimeUnit.NANOSECONDS, AtomicLong::doubleValue)
                .description("Compile and swap time of the last routing table").register(metrics);
        this.recorder = new ExchangeRecorder(new RouteMeters(metrics, "", RouteMeters.NO_ROUTE),
                observability.accessLog(), new RequestTracing(observability.openTelemetry()));
        Gauge.builder("pier.active.connections", openConnections, AtomicInteger::doubleValue)
                .description("Client connections open on the proxy ports (both count against --max-connections)").register(metrics);
        FunctionCounter.builder("pier.connections.refused", refusedConnections, AtomicInteger::doubleValue)
                .description("Client connections closed at accept because --max-connections were open").register(metrics);
        Gauge.builder("pier.active.requests", recorder.activeRequests, LongAdder::doubleValue)
                .description("Requests being served (a websocket until its handshake is done)").register(metrics);
        this.edge = EdgeTransport.of(vertx);
        if (edge == null)
            throw new IllegalArgumentException("the data plane needs a Vert.x built by EdgeTransport.vertx(options)");
        this.health = new BackendHealth(outlier, metrics, this::healthChanged);
        if (options.httpsEnabled()) {
            TlsEngine engine = options.tlsEngine().resolve(); // OPENSSL where it cannot load: refused here, naming why
            this.https = new HttpsSetup(engine, new SniKeyManager(certificates::get, () -> replacedCertificates), options.acmeTlsAlpn());
            this.generatedDefault = CertificateMap.entry(generateDefault(), "generated at start");
            this.certificates.set(CertificateMap.onlyDefault(generatedDefault));
            Gauge.builder("pier.tls.certificates", certificates, c -> c.get().size())
                    .description("Certificates HTTPS serves, the default included").register(metrics);
        } else {
            this.https = null;
        }
    }

    /** A self-signed certificate (EC P-256, a year) for clients whose server name has no certificate. */
    private static dev.pier.tls.CertificateKeyPair generateDefault() {
        Instant now = Instant.now();
        GeneratedCertificate generated = GeneratedCertificate.selfSigned("Pier default certificate", List.of(),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), GeneratedCertificate.KeyType.EC_P256);
        try {
            return dev.pier.tls.CertificateKeyPair.parse(generated.certificatePem(), generated.privateKeyPem());
        } catch (dev.pier.tls.CertificateKeyPair.InvalidCertificate e) {
            throw new IllegalStateException("the generated certificate does not parse: " + e.getMessage(), e);
        }
    }

    /** The flag of the listener a failed {@link #start()} could not bind ({@code --http-port} or {@code --https-port}), else null. */
    public static String failedListener(Throwable startFailure) {
        for (Throwable t = startFailure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProxyServer.ListenFailure f) return f.flag + " " + f.port;
        }
        return null;
    }

    /** The TLS engine HTTPS runs on (OPENSSL or JDK), or null when HTTPS is off. */
    public TlsEngine tlsEngine() {
        return https == null ? null : https.engine();
    }

    /** The transport every socket of this data plane is on: epoll, io_uring or nio. */
    public String transport() {
        return edge.name();
    }

    /** The bound HTTPS port once started, -1 when HTTPS is off. */
    public int httpsPort() {
        return httpsPort;
    }

    /** Binds the servers; the future holds the bound HTTP port (useful when {@code httpPort} is 0), see also {@link #httpsPort()}. */
    public Future<Integer> start() {
        SocketAddress bind = options.httpPort() == 0
                ? SocketAddress.sharedRandomPort(SHARED_PORT_IDS.incrementAndGet(), options.host())
                : SocketAddress.inetSocketAddress(options.httpPort(), options.host());
        SocketAddress httpsBind = !options.httpsEnabled() ? null : options.httpsPort() == 0
                ? SocketAddress.sharedRandomPort(SHARED_PORT_IDS.incrementAndGet(), options.host())
                : SocketAddress.inetSocketAddress(options.httpsPort(), options.host());
        DeploymentOptions deployment = new DeploymentOptions().setInstances(options.eventLoops());
        // from the first accepted connection on; a random port is known only once bound (nobody knew it before)
        if (options.httpPort() != 0) guardPort(options.httpPort(), true);
        if (options.httpsPort() > 0) guardPort(options.httpsPort(), false);
        return vertx.deployVerticle(() -> {
            ProxyServer server = new ProxyServer(table::get, acmeAnswers::get, options, bind, httpsBind, https, recorder, reflection);
            servers.add(server);
            return server;
        }, deployment).map(id -> {
            deploymentId = id;
            httpsPort = servers.get(0).actualHttpsPort();
            health.serversStarted(servers);
            int port = servers.get(0).actualPort();
            if (options.httpPort() == 0) guardPort(port, true);
            if (options.httpsPort() == 0) guardPort(httpsPort, false);
            return port;
        });
    }

    /** Both listeners count against one connection limit: they share the process's descriptors. */
    private void guardPort(int port, boolean cleartext) {
        guardedPorts.add(port);
        edge.guard(port, new EdgeTransport.PortEdge(options.edge(), openConnections, refusedConnections,
                options.serverHeader(), cleartext, recorder));
    }

    /** Client connections open now on the proxy ports. */
    public int openConnections() {
        return openConnections.get();
    }

    /** Connections refused at accept since start, because the connection limit was reached. */
    public int refusedConnections() {
        return refusedConnections.get();
    }

    /**
     * Compiles {@code routingTable} on the calling thread (never call it on an event loop), then
     * publishes it with one atomic write. Requests in flight keep the table they started with.
     */
    public void apply(RoutingTable routingTable) {
        apply(routingTable, () -> { });
    }

    /** The same, calling {@code live} the moment the new table serves, before the old table's meters and health are retired. */
    public void apply(RoutingTable routingTable, Runnable live) {
        if (Vertx.currentContext() != null && Vertx.currentContext().isEventLoopContext())
            throw new IllegalStateException("DataPlane.apply compiles a table: call it off the event loops");
        synchronized (writeLock) { // balancer carry-over needs the previous table to be the latest
            long start = System.nanoTime();
            CompiledTable previous = table.get();
            CompiledTable next = CompiledTable.compile(routingTable, previous, metrics, endpoints, health);
            boolean newCertificates = publishCertificates(routingTable);
            acmeAnswers.set(AcmeAnswers.of(routingTable));
            table.set(next);
            live.run();
            previous.retireMetersLeftOutOf(next);
            health.retain(next.healthInUse());
            for (ProxyServer server : servers) server.tableChanged(next);
            lastSwapNanos.set(System.nanoTime() - start);
            swaps.increment();
            if (newCertificates) refreshTls();
        }
    }

    /** Builds and publishes the table's certificates; false when they are the ones served already (or HTTPS is off). */
    private boolean publishCertificates(RoutingTable routingTable) {
        if (https == null) return false;
        CertificateMap current = certificates.get();
        CertificateMap next = CertificateMap.build(routingTable, generatedDefault, current);
        if (next.sameAs(current)) return false;
        replacedCertificates = current;
        certificates.set(next);
        return true;
    }

    /**
     * A fresh SSL context for new handshakes once the certificates changed (see {@link ProxyServer#refreshTls}),
     * waited for, so that when {@link #apply} returns every new handshake uses it. The key manager
     * already serves the new certificates meanwhile; a failure only leaves the old context in use.
     */
    private void refreshTls() {
        if (servers.isEmpty()) return; // not started: the first context is built with the current map
        try {
            servers.get(0).refreshTls().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("could not refresh the TLS context after a certificate change; new handshakes still get the new"
                    + " certificates: {}", e.toString());
        }
    }

    /** TLS clients the event loops hold, over all loops; read from another thread, so for tests only. */
    int tlsClients() {
        int n = 0;
        for (ProxyServer s : servers) n += s.clients().tlsClients();
        return n;
    }

    /**
     * Which route {@code request} would take in the live table, and why, from the data plane's own
     * matcher; the backends' endpoints are the ones the balancers have now. Call it off the event loops.
     */
    public Explanation explain(ExplainRequest request) {
        synchronized (writeLock) { // the endpoint index is read under the lock that writes it
            return Explainer.explain(table.get(), endpoints, request);
        }
    }

    /** The same for a table that is not live (pier explain --file): compiled here, with these endpoints. */
    public static Explanation explain(RoutingTable routingTable, Map<ServiceKey, List<Endpoint>> endpoints, ExplainRequest request) {
        EndpointIndex index = new EndpointIndex();
        index.replaceAll(endpoints);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackendHealth health = new BackendHealth(OutlierOptions.DEFAULTS, registry, service -> { }); // no servers: no checks run
        try {
            CompiledTable compiled = CompiledTable.compile(routingTable, null, registry, index, health);
            return Explainer.explain(compiled, index, request);
        } finally {
            health.close();
        }
    }

    /** The table requests are served from now. */
    CompiledTable liveTable() {
        return table.get();
    }

    /**
     * Replaces the whole endpoint index. Balancers of changed Services rebuild their state (a hash
     * ring, weights) here, on the caller's thread; lists equal to the current ones change nothing.
     */
    public void replaceEndpoints(Map<ServiceKey, List<Endpoint>> all) {
        synchronized (writeLock) {
            Map<ServiceKey, List<Endpoint>> changed = endpoints.replaceAll(all);
            health.endpointsChanged(changed);
            reflection.endpointsChanged(changed);
            table.get().endpointsChanged(changed);
        }
    }

    /** Updates only these Services (an empty list: the Service has no endpoints), as {@link #replaceEndpoints} does. */
    public void updateEndpoints(Map<ServiceKey, List<Endpoint>> changed) {
        synchronized (writeLock) {
            Map<ServiceKey, List<Endpoint>> applied = endpoints.update(changed);
            health.endpointsChanged(applied);
            reflection.endpointsChanged(applied);
            table.get().endpointsChanged(applied);
        }
    }

    /** An endpoint of {@code service} was ejected or returned, or a check flipped: its balancers get new lists. */
    private void healthChanged(ServiceKey service) {
        synchronized (writeLock) {
            table.get().refresh(service, endpoints.get(service));
        }
    }

    /** Returns once the balancer updates that health changes queued so far have been applied (for tests). */
    void settleHealth() {
        health.settle();
    }

    /** Every endpoint's health (outlier state, active checks) of the Services the live table uses, for {@code /routes}. */
    public List<EndpointHealthView> health() {
        return health.view();
    }

    /** The rpc handler's descriptor cache (for tests). */
    ReflectionCache reflection() {
        return reflection;
    }

    /** Requests in flight over all event loops (what {@code pier_active_requests} shows). */
    public int activeRequests() {
        return (int) recorder.activeRequests.sum();
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
        health.close();
        String id = deploymentId;
        if (id == null) return Future.succeededFuture();
        deploymentId = null;
        for (int port : guardedPorts) edge.release(port);
        guardedPorts.clear();
        return vertx.undeploy(id);
    }
}
