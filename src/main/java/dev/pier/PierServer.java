package dev.pier;

import dev.pier.acme.AcmeManager;
import dev.pier.acme.AcmeOptions;
import dev.pier.admin.AdminServer;
import dev.pier.admin.RoutesJson;
import dev.pier.proxy.DataPlane;
import dev.pier.proxy.EdgePolicy;
import dev.pier.proxy.EdgeTransport;
import dev.pier.proxy.IoTransport;
import dev.pier.proxy.OutlierOptions;
import dev.pier.proxy.ProxyOptions;
import dev.pier.proxy.TlsEngine;
import dev.pier.source.file.FileSource;
import dev.pier.source.kube.KubeSource;
import dev.pier.source.kube.KubeSourceOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.pier.translate.TranslateOptions;
import dev.pier.proxy.AccessLog;
import dev.pier.proxy.Observability;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Map;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Pier: Vert.x, the data plane, the admin port and a source, wired together.
 * {@code serve} runs one until the process stops; tests start one on free ports.
 */
public final class PierServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PierServer.class);

    /**
     * What a Pier process is told on its command line. Port 0 picks a free port; {@code httpsPort}
     * -1 serves no HTTPS. {@code address} is where proxied traffic is served; the admin port listens
     * on loopback plus {@code adminAddresses} ({@link AdminServer#listenAddresses}). {@code serverHeader}
     * is the {@code Server} header on responses that have none (empty: none). {@code httpsRedirectPort}
     * is the port plain-HTTP redirects name.
     */
    public record Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                         int eventLoops, long filePollMillis, String serverHeader, List<String> adminAddresses,
                         OutlierOptions outlier, int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine,
                         EdgePolicy edge, Duration connectTimeout, AccessLogSettings accessLog, TracingSettings tracing,
                         AcmeOptions acme, IoTransport transport) {
        public Config {
            files = List.copyOf(files);
            adminAddresses = List.copyOf(adminAddresses);
        }

        /** On the transport {@code --transport auto} chooses (epoll where it loads, else NIO). */
        public Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                      int eventLoops, long filePollMillis, String serverHeader, List<String> adminAddresses,
                      OutlierOptions outlier, int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine,
                      EdgePolicy edge, Duration connectTimeout, AccessLogSettings accessLog, TracingSettings tracing,
                      AcmeOptions acme) {
            this(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader, adminAddresses,
                    outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, tracing, acme, IoTransport.AUTO);
        }

        /** Without ACME. */
        public Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                      int eventLoops, long filePollMillis, String serverHeader, List<String> adminAddresses,
                      OutlierOptions outlier, int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine,
                      EdgePolicy edge, Duration connectTimeout, AccessLogSettings accessLog, TracingSettings tracing) {
            this(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader, adminAddresses,
                    outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, tracing, null);
        }

        /** The default edge policy and connect timeout, no access log and no tracing. */
        public Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                      int eventLoops, long filePollMillis, String serverHeader, List<String> adminAddresses,
                      OutlierOptions outlier, int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine) {
            this(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader, adminAddresses,
                    outlier, httpsPort, httpsRedirectPort, tlsEngine, EdgePolicy.defaults(), ProxyOptions.defaults(0).connectTimeout(),
                    AccessLogSettings.OFF, TracingSettings.OFF);
        }

        /** No HTTPS, the default edge policy and connect timeout, no access log and no tracing. */
        public Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                      int eventLoops, long filePollMillis, String serverHeader, List<String> adminAddresses,
                      OutlierOptions outlier) {
            this(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader, adminAddresses,
                    outlier, -1, ProxyOptions.DEFAULT_HTTPS_REDIRECT_PORT, TlsEngine.AUTO);
        }

        /** Admin on loopback only, default outlier detection, no HTTPS, no access log and no tracing. */
        public Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                      int eventLoops, long filePollMillis, String serverHeader) {
            this(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader, List.of(),
                    OutlierOptions.DEFAULTS, -1, ProxyOptions.DEFAULT_HTTPS_REDIRECT_PORT, TlsEngine.AUTO);
        }

        /** With the default {@code Server} header, admin on loopback only, no HTTPS. */
        public Config(List<Path> files, String address, int httpPort, int adminPort, TranslateOptions translate,
                      int eventLoops, long filePollMillis) {
            this(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, ProxyOptions.DEFAULT_SERVER_HEADER);
        }

        public Config withAccessLog(AccessLogSettings settings) {
            return new Config(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, settings, tracing, acme, transport);
        }

        public Config withTracing(TracingSettings settings) {
            return new Config(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, settings, acme, transport);
        }

        public static Config forFiles(List<Path> files) {
            return new Config(files, "127.0.0.1", 0, 0, TranslateOptions.DEFAULTS, 2, 100);
        }

        /** The same with HTTPS on {@code port} (0: a free one), terminated by {@code engine}. */
        public Config withHttps(int port, int redirectPort, TlsEngine engine) {
            return new Config(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, port, redirectPort, engine, edge, connectTimeout, accessLog, tracing, acme, transport);
        }

        public Config withTranslate(TranslateOptions options) {
            return new Config(files, address, httpPort, adminPort, options, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, tracing, acme, transport);
        }

        /** With ACME ({@code --acme-*}); translation's ACME policy is the caller's to set alongside. */
        public Config withAcme(AcmeOptions options) {
            return new Config(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, tracing, options, transport);
        }

        /** Every socket on the transport {@code choice} names. */
        public Config withTransport(IoTransport choice) {
            return new Config(files, address, httpPort, adminPort, translate, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, tracing, acme, choice);
        }

        public Config withHttpPort(int port) {
            return new Config(files, address, port, adminPort, translate, eventLoops, filePollMillis, serverHeader,
                    adminAddresses, outlier, httpsPort, httpsRedirectPort, tlsEngine, edge, connectTimeout, accessLog, tracing, acme, transport);
        }
    }

    /**
     * The access log: on or off, its format, the share of requests below 400 it logs, where lines go.
     */
    public record AccessLogSettings(boolean on, AccessLog.Format format, double sampleRatio, OutputStream out) {
        public static final AccessLogSettings OFF = new AccessLogSettings(false, AccessLog.Format.json, 1, null);
    }

    /** Tracing on or off; {@code defaults} are OTEL_* settings in property form that the environment overrides. */
    public record TracingSettings(boolean on, Map<String, String> defaults) {
        public static final TracingSettings OFF = new TracingSettings(false, Map.of());
    }

    private final Vertx vertx;
    private final DataPlane dataPlane;
    private final AccessLog accessLog;
    private final OpenTelemetrySdk tracing;
    private final List<AutoCloseable> meterBinders = new ArrayList<>();
    private final AdminServer admin;
    private final LiveState state;
    private final PrometheusMeterRegistry metrics;
    private final Pipeline pipeline;
    private final Config config;
    private AutoCloseable source;
    private AcmeManager acme;
    private int httpPort;
    private int httpsPort = -1;
    private int adminPort;

    private PierServer(Config config) {
        this.config = config;
        int loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        // Pier serves no files: without file caching and class-path resolving Vert.x writes nothing
        // (no vertx-cache directory), so Pier starts on a read-only root filesystem.
        FileSystemOptions noFiles = new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false);
        this.vertx = EdgeTransport.vertx(new VertxOptions().setEventLoopPoolSize(loops).setFileSystemOptions(noFiles),
                config.transport()); // an explicit transport that cannot load is refused here, naming why
        this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindProcessMeters();
        this.state = new LiveState();
        AccessLogSettings lines = config.accessLog();
        this.accessLog = lines.on() ? new AccessLog(lines.format(), lines.sampleRatio(), lines.out(), AccessLog.DEFAULT_CAPACITY, metrics) : null;
        this.tracing = config.tracing().on() ? TracingSdk.start(config.tracing().defaults()) : null;
        ProxyOptions defaults = ProxyOptions.defaults(config.httpPort());
        this.dataPlane = new DataPlane(vertx, new ProxyOptions(config.address(), config.httpPort(),
                defaults.maxConnectionsPerEndpoint(), defaults.maxWaitQueue(), config.connectTimeout(),
                defaults.backendTimeout(), loops, config.serverHeader(), config.httpsPort(), config.httpsRedirectPort(),
                config.tlsEngine(), config.edge(), config.acme() != null), config.outlier(), metrics,
                new Observability(accessLog, tracing));
        log.info("Sockets on the {} transport{}", dataPlane.transport(),
                config.transport() == IoTransport.AUTO && !io.vertx.core.transport.Transport.EPOLL.available()
                        ? " (epoll is not available here: " + IoTransport.unavailableReason(io.vertx.core.transport.Transport.EPOLL) + ")" : "");
        if (dataPlane.tlsEngine() != null) {
            log.info("HTTPS terminated by the {} TLS engine{}", dataPlane.tlsEngine() == TlsEngine.OPENSSL ? "OpenSSL (BoringSSL)" : "JDK",
                    config.tlsEngine() == TlsEngine.AUTO && dataPlane.tlsEngine() == TlsEngine.JDK
                            ? " (OpenSSL is not available here: " + TlsEngine.openSslUnavailableReason() + ")" : "");
            if (config.translate().defaultCertificate() == null) {
                log.warn("no --default-certificate: HTTPS clients whose server name has no certificate (or who send none)"
                        + " get a self-signed certificate generated at start, which they will not trust");
            }
        }
        this.pipeline = new Pipeline(dataPlane, config.translate(), state, Clock.systemUTC(), new ConfigMeters(metrics));
        this.admin = new AdminServer(vertx, AdminServer.listenAddresses(config.adminAddresses()), config.adminPort(), state, metrics,
                view -> RoutesJson.render(view, dataPlane.health()), dataPlane::explain);
    }

    /** JVM, GC, memory, threads, class loading, CPU, uptime and file descriptors, under their usual names; and the build. */
    private void bindProcessMeters() {
        new ClassLoaderMetrics().bindTo(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(metrics);
        meterBinders.add(gc);
        new JvmThreadMetrics().bindTo(metrics);
        new JvmInfoMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        new UptimeMetrics().bindTo(metrics);
        new FileDescriptorMetrics().bindTo(metrics);
        BuildInfo build = BuildInfo.current();
        Gauge.builder("pier.build.info", () -> 1)
                .description("Always 1; the labels say which Pier runs")
                .tags("version", build.version(), "commit", build.commit(), "build_time", build.buildTime(),
                        "java_version", Runtime.version().toString())
                .register(metrics);
    }

    /** Starts file mode: loads the files once, binds both ports, then keeps watching the files. */
    public static PierServer startWithFiles(Config config) throws Exception {
        PierServer server = new PierServer(config);
        try {
            List<Path> inputs = config.files();
            if (config.acme() != null) {
                // The ACME Secrets live in a directory the file source reads like the others: they are served as any Secret.
                server.startAcme(AcmeManager.directoryStore(config.acme().storage()), () -> true);
                inputs = new java.util.ArrayList<>(inputs);
                inputs.add(config.acme().storage());
            }
            FileSource files = new FileSource(inputs, server.pipeline, config.filePollMillis());
            server.source = files;
            boolean loaded = files.start();
            server.bind();
            log.info("serving on {}:{} (HTTPS :{}, admin :{}), files {}{}", config.address(), server.httpPort, server.httpsPort, server.adminPort,
                    config.files(), loaded ? "" : " (NOT loaded: see the error above and /routes)");
            return server;
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    /**
     * Starts cluster mode: binds both ports at once (the data plane answers 404 until the first
     * table), then the informers; {@code /readyz} turns 200 with the first table.
     */
    public static PierServer startWithKubernetes(Config config, KubernetesClient client, KubeSourceOptions options) throws Exception {
        PierServer server = new PierServer(config);
        try {
            server.bind();
            KubeSource kube = new KubeSource(client, options.withTranslate(config.translate()), server.pipeline);
            Gauge.builder("pier.leader", kube, k -> k.isLeader() ? 1 : 0)
                    .description("1 while this replica holds the leader Lease (and writes statuses), else 0")
                    .register(server.metrics);
            server.source = () -> {
                kube.close();
                client.close();
            };
            if (config.acme() != null) {
                server.startAcme(AcmeManager.kubeStore(client, config.translate().controllerName(), options.identity(),
                        options.leaseNamespace()), kube::isLeader);
                kube.onLeadershipChange(server.acme::leadershipChanged);
            }
            kube.start();
            log.info("serving on {}:{} (HTTPS :{}, admin :{}), watching {} as {}", config.address(), server.httpPort, server.httpsPort, server.adminPort,
                    options.watchNamespaces().isEmpty() ? "all namespaces" : options.watchNamespaces(), options.identity());
            return server;
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    /** The ACME manager, told of every live translation; it orders only while {@code leader} holds. */
    private void startAcme(dev.pier.acme.SecretStore store, java.util.function.BooleanSupplier leader) {
        acme = new AcmeManager(config.acme(), store, leader, metrics, Clock.systemUTC());
        pipeline.onPublished(acme::published);
        acme.start();
        log.info("ACME: certificates from {} for hosts on the allowlist {}, answering {}", config.acme().directory(),
                config.translate().acme().allowlist().entries(), config.acme().challenge().wireName());
    }

    /** A port Pier could not listen on; the message names what for, the address and the port. */
    public static final class BindFailure extends Exception {
        BindFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void bind() throws BindFailure {
        httpPort = listen("proxied traffic", config.address(), config.httpPort(), () -> dataPlane.start());
        httpsPort = dataPlane.httpsPort();
        adminPort = listen("the admin port (--admin-port, --admin-address)", AdminServer.listenAddresses(config.adminAddresses()).toString(),
                config.adminPort(), () -> admin.start());
    }

    private int listen(String what, String address, int port, Supplier<Future<Integer>> start) throws BindFailure {
        try {
            return start.get().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String reason = root.getMessage() == null ? root.toString() : root.getMessage();
            String listener = DataPlane.failedListener(e);
            if (listener != null) {
                // "--https-port 8443": the data plane names which of its two listeners failed
                port = Integer.parseInt(listener.substring(listener.indexOf(' ') + 1));
                what = what + " (" + listener.substring(0, listener.indexOf(' ')) + ")";
            }
            throw new BindFailure("cannot listen on " + address + ":" + port + " for " + what + ": " + reason, e);
        }
    }

    public Vertx vertx() { return vertx; }
    public int httpPort() { return httpPort; }
    /** -1 when HTTPS is off. */
    public int httpsPort() { return httpsPort; }
    public int adminPort() { return adminPort; }
    public LiveState state() { return state; }
    public Pipeline pipeline() { return pipeline; }
    public PrometheusMeterRegistry metrics() { return metrics; }

    /**
     * A graceful stop's first part (call {@link #close()} after it): {@code /readyz} answers 503
     * at once and connections close after the request they carry; traffic is still served for
     * {@code delay} (load balancers and EndpointSlices catch up); then Pier stops accepting and
     * lets requests in flight finish for up to {@code timeout}; websockets get a close frame at the end.
     */
    public void drain(Duration delay, Duration timeout) throws InterruptedException {
        admin.draining();
        dataPlane.startDraining(delay.plus(timeout));
        log.info("draining: /readyz answers 503; serving for {} ms more, then up to {} ms for requests in flight",
                delay.toMillis(), timeout.toMillis());
        Thread.sleep(delay.toMillis());
        int active = dataPlane.activeRequests();
        long start = System.nanoTime();
        dataPlane.finishDraining(timeout);
        log.info("drained: stopped accepting with {} requests in flight; all connections closed after {} ms ({} left)",
                active, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), dataPlane.activeRequests());
    }

    @Override
    public void close() {
        try {
            if (acme != null) acme.close(); // first: it writes nothing once the source's client is gone
            if (source != null) source.close();
            dataPlane.close().await(10, TimeUnit.SECONDS);
            admin.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("unclean stop: {}", e.toString());
        } finally {
            if (accessLog != null) accessLog.close();
            if (tracing != null) tracing.shutdown().join(5, TimeUnit.SECONDS); // exports the spans still batched
            for (AutoCloseable binder : meterBinders) {
                try {
                    binder.close();
                } catch (Exception e) {
                    log.debug("meter binder close: {}", e.toString());
                }
            }
            try {
                vertx.close().await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("unclean Vert.x stop: {}", e.toString());
            }
        }
    }
}
