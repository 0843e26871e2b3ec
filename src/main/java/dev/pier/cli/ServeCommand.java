package dev.pier.cli;

import dev.pier.PierServer;
import dev.pier.acme.AcmeOptions;
import dev.pier.proxy.AccessLog;
import dev.pier.admin.AdminServer;
import dev.pier.api.Durations;
import dev.pier.proxy.OutlierOptions;
import dev.pier.proxy.ProxyOptions;
import dev.pier.proxy.IoTransport;
import dev.pier.proxy.TlsEngine;
import dev.pier.source.kube.KubeSourceOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve traffic, routed by Ingresses and GatewayRoutes from a cluster or from YAML files.")
public final class ServeCommand implements Callable<Integer> {
    /** Where the command writes: picocli's out and err (the process's, unless a caller set others). */
    @Spec
    CommandSpec spec;

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--file", paramLabel = "PATH", split = ",", defaultValue = "${env:PIER_FILE}",
            description = "A YAML file, or a directory of *.yaml/*.yml, of Kubernetes objects; repeatable. Env: PIER_FILE (comma-separated).")
    List<Path> files;

    @Option(names = "--http-port", defaultValue = "${env:PIER_HTTP_PORT:-8080}",
            description = "Port for proxied traffic (HTTP/1.1 and h2c). Env: PIER_HTTP_PORT. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--https-port", defaultValue = "${env:PIER_HTTPS_PORT:-8443}",
            description = "Port for HTTPS (HTTP/1.1 and h2 by ALPN; certificates by SNI from Ingress spec.tls and GatewayRoute"
                    + " spec.tls); -1 serves no HTTPS. Env: PIER_HTTPS_PORT. Default: ${DEFAULT-VALUE}.")
    int httpsPort;

    @Option(names = "--https-redirect-port", defaultValue = "${env:PIER_HTTPS_REDIRECT_PORT:-443}",
            description = "The HTTPS port clients reach, named in the redirects of plain HTTP to hosts that have TLS (443 is"
                    + " left out of the URL). Env: PIER_HTTPS_REDIRECT_PORT. Default: ${DEFAULT-VALUE}.")
    int httpsRedirectPort;

    @Option(names = "--tls-engine", defaultValue = "${env:PIER_TLS_ENGINE:-auto}",
            description = "auto (OpenSSL where the platform has it, else the JDK's), openssl or jdk. Env: PIER_TLS_ENGINE."
                    + " Default: ${DEFAULT-VALUE}.")
    String tlsEngine;

    @Option(names = "--transport", defaultValue = "${env:PIER_TRANSPORT:-auto}",
            description = "Which socket transport: auto (native epoll where it loads, else NIO), epoll, io_uring or nio;"
                    + " an explicit one that cannot load here stops Pier naming why. Env: PIER_TRANSPORT. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--admin-port", defaultValue = "${env:PIER_ADMIN_PORT:-9901}",
            description = "Port for /healthz, /readyz, /routes, /metrics. Env: PIER_ADMIN_PORT. Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @Option(names = "--address", defaultValue = "${env:PIER_ADDRESS:-0.0.0.0}",
            description = "Address the proxy port binds to. Env: PIER_ADDRESS. Default: ${DEFAULT-VALUE}.")
    String address;

    @Option(names = "--admin-address", paramLabel = "IP", split = ",", defaultValue = "${env:PIER_ADMIN_ADDRESS}",
            description = "An address the admin port listens on besides 127.0.0.1 (it has no authentication), e.g. the"
                    + " pod IP for the kubelet's probes and Prometheus; repeatable; 0.0.0.0 means every interface."
                    + " Env: PIER_ADMIN_ADDRESS (comma-separated). Default: loopback only.")
    List<String> adminAddresses;

    @Option(names = "--outlier-consecutive-failures", paramLabel = "N", defaultValue = "${env:PIER_OUTLIER_CONSECUTIVE_FAILURES:-5}",
            description = "Failures in a row (5xx, connect failure or timeout) that eject a backend endpoint; 0 turns"
                    + " outlier detection off. Env: PIER_OUTLIER_CONSECUTIVE_FAILURES. Default: ${DEFAULT-VALUE}.")
    int outlierConsecutiveFailures;

    @Option(names = "--outlier-base-ejection", paramLabel = "DURATION", defaultValue = "${env:PIER_OUTLIER_BASE_EJECTION:-30s}",
            description = "How long a first ejection lasts; the n-th lasts n times as long. Env: PIER_OUTLIER_BASE_EJECTION."
                    + " Default: ${DEFAULT-VALUE}.")
    String outlierBaseEjection;

    @Option(names = "--outlier-max-ejection", paramLabel = "DURATION", defaultValue = "${env:PIER_OUTLIER_MAX_EJECTION:-5m}",
            description = "The longest an ejection lasts. Env: PIER_OUTLIER_MAX_EJECTION. Default: ${DEFAULT-VALUE}.")
    String outlierMaxEjection;

    @Option(names = "--outlier-max-ejection-percent", paramLabel = "PERCENT", defaultValue = "${env:PIER_OUTLIER_MAX_EJECTION_PERCENT:-10}",
            description = "The largest share of a Service's endpoints ejected at once (one may always be). Env:"
                    + " PIER_OUTLIER_MAX_EJECTION_PERCENT. Default: ${DEFAULT-VALUE}.")
    int outlierMaxEjectionPercent;

    @Mixin
    TranslateFlags translate;

    @Option(names = "--acme-directory", paramLabel = "URL", defaultValue = "${env:PIER_ACME_DIRECTORY}",
            description = "The ACME CA's directory URL: Pier orders and renews the certificates objects ask for (GatewayRoute"
                    + " tls acme: true, Ingress pier.dev/acme: \"true\") for hosts on --acme-allow-host. Let's Encrypt:"
                    + " https://acme-v02.api.letsencrypt.org/directory (staging: https://acme-staging-v02.api.letsencrypt.org/directory)."
                    + " Env: PIER_ACME_DIRECTORY. Default: none (no ACME).")
    String acmeDirectory;

    @Option(names = "--acme-email", paramLabel = "ADDRESS", defaultValue = "${env:PIER_ACME_EMAIL}",
            description = "Contact address of the ACME account (expiry and policy mail from the CA). Env: PIER_ACME_EMAIL.")
    String acmeEmail;

    @Option(names = "--acme-agree-tos", defaultValue = "${env:PIER_ACME_AGREE_TOS:-false}",
            description = "Agree to the ACME CA's terms of service (Let's Encrypt asks for it). Env: PIER_ACME_AGREE_TOS.")
    boolean acmeAgreeTos;

    @Option(names = "--acme-storage", paramLabel = "DIR", defaultValue = "${env:PIER_ACME_STORAGE}",
            description = "File mode: the directory that plays the Secrets' part (account key, certificates, order state);"
                    + " needed with --acme-directory and --file. Env: PIER_ACME_STORAGE.")
    Path acmeStorage;

    @Option(names = "--acme-trust", paramLabel = "FILE", defaultValue = "${env:PIER_ACME_TRUST}",
            description = "A PEM bundle of CA certificates trusted for the ACME server's own HTTPS instead of the JDK's (a"
                    + " private CA, or a test CA). Env: PIER_ACME_TRUST.")
    Path acmeTrust;

    @Option(names = "--acme-eab-kid", paramLabel = "KID", defaultValue = "${env:PIER_ACME_EAB_KID}",
            description = "External account binding key id, for CAs that ask for one (ZeroSSL, Google). Env: PIER_ACME_EAB_KID.")
    String acmeEabKid;

    @Option(names = "--acme-eab-hmac-key", paramLabel = "KEY", defaultValue = "${env:PIER_ACME_EAB_HMAC_KEY}",
            description = "External account binding HMAC key (base64url), with --acme-eab-kid; prefer the environment"
                    + " variable. Env: PIER_ACME_EAB_HMAC_KEY.")
    String acmeEabHmacKey;

    @Option(names = "--acme-key-type", paramLabel = "TYPE", defaultValue = "${env:PIER_ACME_KEY_TYPE:-ec-p256}",
            description = "Key of each ordered certificate: ec-p256, ec-p384, rsa-2048 or rsa-4096. Env: PIER_ACME_KEY_TYPE."
                    + " Default: ${DEFAULT-VALUE}.")
    String acmeKeyType;

    @Option(names = "--acme-challenge", paramLabel = "TYPE", defaultValue = "${env:PIER_ACME_CHALLENGE:-http-01}",
            description = "http-01 (answered on the HTTP port: the CA connects to port 80) or tls-alpn-01 (on the HTTPS port:"
                    + " port 443). Env: PIER_ACME_CHALLENGE. Default: ${DEFAULT-VALUE}.")
    String acmeChallenge;

    @Option(names = "--acme-profile", paramLabel = "NAME", defaultValue = "${env:PIER_ACME_PROFILE}",
            description = "The CA's certificate profile to order (e.g. Let's Encrypt's shortlived). Env: PIER_ACME_PROFILE."
                    + " Default: the CA's default.")
    String acmeProfile;

    @Option(names = "--acme-retry-base", paramLabel = "DURATION", defaultValue = "${env:PIER_ACME_RETRY_BASE:-1m}",
            description = "Wait after a failed order; doubled per failure in a row, with jitter, and never shorter than the CA's"
                    + " Retry-After. Env: PIER_ACME_RETRY_BASE. Default: ${DEFAULT-VALUE}.")
    String acmeRetryBase;

    @Option(names = "--acme-retry-max", paramLabel = "DURATION", defaultValue = "${env:PIER_ACME_RETRY_MAX:-6h}",
            description = "The longest wait between tries. Env: PIER_ACME_RETRY_MAX. Default: ${DEFAULT-VALUE}.")
    String acmeRetryMax;

    @Mixin
    EdgeFlags edge;

    @Option(names = "--log-format", defaultValue = "${env:PIER_LOG_FORMAT:-text}",
            description = "text or json. Env: PIER_LOG_FORMAT. Default: ${DEFAULT-VALUE}.")
    Logging.Format logFormat;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "${env:PIER_LOG_LEVEL:-info}",
            description = "error, warn, info, debug or trace. Env: PIER_LOG_LEVEL. Default: ${DEFAULT-VALUE}.")
    Logging.LogLevel logLevel;

    @Option(names = "--access-log", paramLabel = "on|off|auto", defaultValue = "${env:PIER_ACCESS_LOG:-auto}",
            description = "One line per request on standard output. auto: on in cluster mode, off in file mode."
                    + " Env: PIER_ACCESS_LOG. Default: ${DEFAULT-VALUE}.")
    Toggle accessLog;

    @Option(names = "--access-log-format", paramLabel = "json|text", defaultValue = "${env:PIER_ACCESS_LOG_FORMAT}",
            description = "Format of access-log lines. Env: PIER_ACCESS_LOG_FORMAT. Default: the --log-format.")
    AccessLog.Format accessLogFormat;

    @Option(names = "--access-log-sample", paramLabel = "RATIO", defaultValue = "${env:PIER_ACCESS_LOG_SAMPLE:-1}",
            description = "Share (0 to 1) of requests answered below 400 that are logged; 4xx and 5xx always are."
                    + " Env: PIER_ACCESS_LOG_SAMPLE. Default: ${DEFAULT-VALUE}.")
    double accessLogSample;

    @Option(names = "--tracing", defaultValue = "${env:PIER_TRACING:-false}",
            description = "A span per request, exported by OTLP as the standard OTEL_* variables say"
                    + " (OTEL_EXPORTER_OTLP_ENDPOINT, ..._PROTOCOL, OTEL_TRACES_SAMPLER...). Env: PIER_TRACING. Default: off.")
    boolean tracing;

    @Option(names = "--demo-backend", defaultValue = "false",
            description = "Also start two demo HTTP backends on 127.0.0.1:8081 and :8082 (for the quick start).")
    boolean demoBackend;

    @Option(names = "--event-loops", defaultValue = "${env:PIER_EVENT_LOOPS:-0}",
            description = "Event loops serving traffic; 0 = one per core. Env: PIER_EVENT_LOOPS.")
    int eventLoops;

    @Option(names = "--server-header", paramLabel = "VALUE", defaultValue = "${env:PIER_SERVER_HEADER:-pier}",
            description = "Server header on responses that have none (a backend's own passes unchanged); empty: none."
                    + " Env: PIER_SERVER_HEADER. Default: ${DEFAULT-VALUE}.")
    String serverHeader;

    @Option(names = "--kubernetes", defaultValue = "false",
            description = "Read objects from the cluster (also chosen in a pod, or with --kubeconfig / KUBECONFIG, when no --file is given).")
    boolean kubernetes;

    @Option(names = "--kubeconfig", paramLabel = "FILE", defaultValue = "${env:KUBECONFIG}",
            description = "Kubeconfig to reach the cluster. Env: KUBECONFIG. Default: in-cluster service account.")
    Path kubeconfig;

    @Option(names = "--watch-namespace", paramLabel = "NS", split = ",", defaultValue = "${env:PIER_WATCH_NAMESPACE}",
            description = "Namespace to watch; repeatable. Default: all. Env: PIER_WATCH_NAMESPACE (comma-separated).")
    Set<String> watchNamespaces;

    @Option(names = "--publish-service", paramLabel = "NS/NAME", defaultValue = "${env:PIER_PUBLISH_SERVICE}",
            description = "Ingress status copies this Service's load-balancer status. Env: PIER_PUBLISH_SERVICE.")
    String publishService;

    @Option(names = "--publish-address", paramLabel = "ADDR[,ADDR]", defaultValue = "${env:PIER_PUBLISH_ADDRESS}",
            description = "Ingress status shows these IPs or hostnames. Env: PIER_PUBLISH_ADDRESS.")
    String publishAddress;

    @Option(names = "--leader-election-namespace", defaultValue = "${env:POD_NAMESPACE:-default}",
            description = "Namespace of the leader-election Lease. Default: the pod's namespace (POD_NAMESPACE), else default.")
    String leaseNamespace;

    @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "${env:PIER_DRAIN_DELAY:-5s}",
            converter = DurationConverter.class,
            description = "On SIGTERM, keep serving this long (with /readyz 503) before no longer accepting connections,"
                    + " so load balancers and EndpointSlices stop sending first. Env: PIER_DRAIN_DELAY. Default: ${DEFAULT-VALUE}.")
    Duration drainDelay;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "${env:PIER_DRAIN_TIMEOUT:-30s}",
            converter = DurationConverter.class,
            description = "After the drain delay, how long requests in flight may take to finish before Pier exits."
                    + " Env: PIER_DRAIN_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--leader-election-id", defaultValue = "pier-leader",
            description = "Name of the leader-election Lease. Default: ${DEFAULT-VALUE}.")
    String leaseName;

    enum Toggle { on, off, auto }

    @Override
    public Integer call() throws Exception {
        Logging.configure(logFormat, logLevel);
        boolean fromFiles = files != null && !files.isEmpty();
        if (kubeconfig != null && kubeconfig.toString().isEmpty()) kubeconfig = null; // KUBECONFIG= (set but empty)
        boolean fromCluster = kubernetes || (!fromFiles && (kubeconfig != null || System.getenv("KUBERNETES_SERVICE_HOST") != null));
        if (fromFiles == fromCluster) {
            spec.commandLine().getErr().println(fromFiles ? "pier serve: give --file or --kubernetes, not both"
                    : "pier serve: give --file PATH (a YAML file or a directory), or --kubernetes / --kubeconfig FILE");
            return 2;
        }
        if (fromFiles) {
            // Nothing to serve and no last good table to keep: a path that does not exist is a typo, say so now.
            for (Path file : files) {
                if (!Files.exists(file)) {
                    spec.commandLine().getErr().println("pier serve: --file " + file + " does not exist");
                    return 2;
                }
            }
        }
        String serverHeaderProblem = ProxyOptions.serverHeaderProblem(serverHeader);
        if (serverHeaderProblem != null) {
            spec.commandLine().getErr().println("pier serve: --server-header " + serverHeaderProblem);
            return 2;
        }
        if (httpsPort < -1 || httpsPort > 65535 || httpsRedirectPort < 1 || httpsRedirectPort > 65535) {
            spec.commandLine().getErr().println("pier serve: --https-port must be -1 (off) or a port, --https-redirect-port a port");
            return 2;
        }
        TlsEngine engine;
        try {
            engine = TlsEngine.valueOf(tlsEngine.toUpperCase(java.util.Locale.ROOT));
            if (httpsPort >= 0) engine.resolve();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("pier serve: --tls-engine is auto, openssl or jdk, not \"" + tlsEngine + "\"");
            return 2;
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("pier serve: --tls-engine " + tlsEngine + ": " + e.getMessage());
            return 2;
        }
        IoTransport socketTransport = IoTransport.parse(transport);
        if (socketTransport == null) {
            spec.commandLine().getErr().println("pier serve: --transport is auto, epoll, io_uring or nio, not \"" + transport + "\"");
            return 2;
        }
        try {
            socketTransport.resolve();
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("pier serve: --transport " + socketTransport.flagValue() + ": " + e.getMessage());
            return 2;
        }
        List<String> admin = adminAddresses == null ? List.of() : adminAddresses.stream().map(String::strip)
                .filter(a -> !a.isEmpty()).toList();
        for (String a : admin) {
            String problem = AdminServer.addressProblem(a);
            if (problem != null) {
                spec.commandLine().getErr().println("pier serve: --admin-address " + problem);
                return 2;
            }
        }
        OutlierOptions outlier;
        try {
            outlier = new OutlierOptions(outlierConsecutiveFailures, Durations.parse(outlierBaseEjection),
                    Durations.parse(outlierMaxEjection), outlierMaxEjectionPercent);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("pier serve: --outlier-*: " + e.getMessage());
            return 2;
        }
        dev.pier.proxy.EdgePolicy edgePolicy;
        AcmeOptions acme;
        try {
            edgePolicy = edge.policy();
            acme = acmeOptions(fromFiles);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("pier serve: " + e.getMessage());
            return 2;
        }
        if (!(accessLogSample >= 0 && accessLogSample <= 1)) {
            spec.commandLine().getErr().println("pier serve: --access-log-sample must be between 0 and 1, not " + accessLogSample);
            return 2;
        }
        boolean logAccess = accessLog == Toggle.on || (accessLog == Toggle.auto && fromCluster);
        AccessLog.Format lineFormat = accessLogFormat != null ? accessLogFormat
                : logFormat == Logging.Format.json ? AccessLog.Format.json : AccessLog.Format.text;
        PierServer.Config config = new PierServer.Config(fromFiles ? files : List.of(), address, httpPort, adminPort,
                translate.options(acme != null), eventLoops, 250, serverHeader, admin, outlier, httpsPort, httpsRedirectPort, engine,
                edgePolicy, edge.connectTimeout,
                new PierServer.AccessLogSettings(logAccess, lineFormat, accessLogSample, System.out),
                new PierServer.TracingSettings(tracing, java.util.Map.of()), acme, socketTransport);
        PierServer server;
        try {
            server = fromFiles ? PierServer.startWithFiles(config) : startWithKubernetes(config);
        } catch (UnusableConfig e) {
            spec.commandLine().getErr().println("pier serve: " + e.getMessage());
            return 2;
        } catch (PierServer.BindFailure e) {
            spec.commandLine().getErr().println("pier serve: " + e.getMessage());
            return 1;
        } catch (KubernetesClientException e) {
            spec.commandLine().getErr().println("pier serve: the Kubernetes API server cannot be used: " + oneLine(e));
            return 1;
        }
        if (server == null) return 2;
        if (demoBackend) {
            DemoBackend.start(server.vertx()).await(10, TimeUnit.SECONDS);
            log.info("demo backends listening on 127.0.0.1:{}", DemoBackend.PORTS);
        }
        log.info("pier {} started: proxy on {}:{} (HTTPS port {}), admin on {} port {} (try curl localhost:{}/routes)",
                VersionCommand.version(), address, server.httpPort(), server.httpsPort(),
                AdminServer.listenAddresses(config.adminAddresses()), server.adminPort(), server.adminPort());
        // The JVM's own SIGTERM handling would exit with 143 while requests are in flight; Pier
        // drains instead and exits 0. A second signal cuts the drain short.
        CountDownLatch signalled = new CountDownLatch(1);
        Thread mainThread = Thread.currentThread();
        for (String name : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                if (signalled.getCount() == 0) {
                    log.warn("SIG{} again: stopping without waiting for the drain", signal.getName());
                    mainThread.interrupt();
                }
                signalled.countDown();
            });
        }
        signalled.await();
        try {
            server.drain(drainDelay, drainTimeout);
        } catch (InterruptedException cutShort) {
            Thread.interrupted(); // close() below waits on its own
            log.warn("drain cut short");
        }
        log.info("stopping");
        server.close();
        return 0;
    }

    /** The {@code --acme-*} flags checked, or null without {@code --acme-directory}; a wrong one throws, naming it. */
    private AcmeOptions acmeOptions(boolean fromFiles) {
        if (acmeDirectory == null || acmeDirectory.isBlank()) return null;
        URI directory;
        try {
            directory = new URI(acmeDirectory.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--acme-directory \"" + acmeDirectory + "\" is not a URL");
        }
        AcmeOptions.KeyType keyType;
        AcmeOptions.ChallengeType challenge;
        try {
            keyType = AcmeOptions.KeyType.parse(acmeKeyType);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--acme-key-type is ec-p256, ec-p384, rsa-2048 or rsa-4096, not \"" + acmeKeyType + "\"");
        }
        try {
            challenge = AcmeOptions.ChallengeType.parse(acmeChallenge);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--acme-challenge is http-01 or tls-alpn-01, not \"" + acmeChallenge + "\"");
        }
        if (challenge == AcmeOptions.ChallengeType.TLS_ALPN_01 && httpsPort < 0) {
            throw new IllegalArgumentException("--acme-challenge tls-alpn-01 is answered on the HTTPS port: not with --https-port -1");
        }
        if (acmeTrust != null && !Files.isReadable(acmeTrust)) {
            throw new IllegalArgumentException("--acme-trust " + acmeTrust + " cannot be read");
        }
        if (fromFiles && acmeStorage == null) {
            throw new IllegalArgumentException("--acme-directory with --file needs --acme-storage DIR, where certificates are kept");
        }
        String eabKid = blankToNull(acmeEabKid);
        String eabKey = blankToNull(acmeEabHmacKey);
        AcmeOptions options = AcmeOptions.defaults(directory)
                .withAccount(blankToNull(acmeEmail), acmeAgreeTos)
                .withTrust(acmeTrust)
                .withExternalAccount(eabKid, eabKey)
                .withKeys(keyType, challenge, blankToNull(acmeProfile))
                .withRetry(Durations.parse(acmeRetryBase), Durations.parse(acmeRetryMax));
        // File mode has one process: its own data plane answering is all the CA can reach.
        return fromFiles ? options.withStorage(acmeStorage).withSettle(java.time.Duration.ZERO) : options;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Durations as GatewayRoute fields write them: {@code 500ms}, {@code 5s}, {@code 1m30s}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }

    /** @return null when the flags are wrong (already said on stderr) */
    private PierServer startWithKubernetes(PierServer.Config config) throws Exception {
        if (publishService != null && publishAddress != null) {
            spec.commandLine().getErr().println("pier serve: --publish-service and --publish-address exclude each other; give one");
            return null;
        }
        KubeSourceOptions kube;
        try {
            kube = KubeSourceOptions.defaults(leaseNamespace, identity())
                    .withWatchNamespaces(watchNamespaces == null ? Set.of() : watchNamespaces)
                    .withLease(leaseName, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
            if (publishService != null) kube = kube.withPublishService(publishService);
            if (publishAddress != null) kube = kube.withPublishAddress(publishAddress);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("pier serve: " + e.getMessage());
            return null;
        }
        return PierServer.startWithKubernetes(config, kubernetesClient(), kube);
    }

    /** A kubeconfig that is missing or does not parse: one line saying which and why, no stack trace. */
    static final class UnusableConfig extends Exception {
        UnusableConfig(String message) {
            super(message);
        }
    }

    private KubernetesClient kubernetesClient() throws UnusableConfig {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (kubeconfig != null) {
            String text;
            try {
                text = Files.readString(kubeconfig);
            } catch (IOException e) {
                throw new UnusableConfig("cannot read kubeconfig " + kubeconfig + ": "
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
            }
            try {
                builder.withConfig(Config.fromKubeconfig(null, text, kubeconfig.toString()));
            } catch (RuntimeException e) {
                throw new UnusableConfig("kubeconfig " + kubeconfig + " is not usable: " + oneLine(e));
            }
        }
        return builder.build();
    }

    /** The innermost message, on one line. */
    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** The Lease holder's name: the pod name in a cluster, else host and process. */
    private static String identity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) return pod;
        return ProcessHandle.current().pid() + "@" + System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
}
