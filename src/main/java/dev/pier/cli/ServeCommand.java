package dev.pier.cli;

import dev.pier.PierServer;
import dev.pier.api.Durations;
import dev.pier.source.kube.KubeSourceOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve traffic, routed by Ingresses and GatewayRoutes from a cluster or from YAML files.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--file", paramLabel = "PATH", split = ",", defaultValue = "${env:PIER_FILE}",
            description = "A YAML file, or a directory of *.yaml/*.yml, of Kubernetes objects; repeatable. Env: PIER_FILE (comma-separated).")
    List<Path> files;

    @Option(names = "--http-port", defaultValue = "${env:PIER_HTTP_PORT:-8080}",
            description = "Port for proxied traffic (HTTP/1.1 and h2c). Env: PIER_HTTP_PORT. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--admin-port", defaultValue = "${env:PIER_ADMIN_PORT:-9901}",
            description = "Port for /healthz, /readyz, /routes, /metrics. Env: PIER_ADMIN_PORT. Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @Option(names = "--address", defaultValue = "${env:PIER_ADDRESS:-0.0.0.0}",
            description = "Address both ports bind to. Env: PIER_ADDRESS. Default: ${DEFAULT-VALUE}.")
    String address;

    @Mixin
    TranslateFlags translate;

    @Option(names = "--log-format", defaultValue = "${env:PIER_LOG_FORMAT:-text}",
            description = "text or json. Env: PIER_LOG_FORMAT. Default: ${DEFAULT-VALUE}.")
    Logging.Format logFormat;

    @Option(names = "--demo-backend", defaultValue = "false",
            description = "Also start two demo HTTP backends on 127.0.0.1:8081 and :8082 (for the quick start).")
    boolean demoBackend;

    @Option(names = "--event-loops", defaultValue = "${env:PIER_EVENT_LOOPS:-0}",
            description = "Event loops serving traffic; 0 = one per core. Env: PIER_EVENT_LOOPS.")
    int eventLoops;

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

    @Override
    public Integer call() throws Exception {
        Logging.configure(logFormat);
        boolean fromFiles = files != null && !files.isEmpty();
        if (kubeconfig != null && kubeconfig.toString().isEmpty()) kubeconfig = null; // KUBECONFIG= (set but empty)
        boolean fromCluster = kubernetes || (!fromFiles && (kubeconfig != null || System.getenv("KUBERNETES_SERVICE_HOST") != null));
        if (fromFiles == fromCluster) {
            System.err.println(fromFiles ? "pier serve: give --file or --kubernetes, not both"
                    : "pier serve: give --file PATH (a YAML file or a directory), or --kubernetes / --kubeconfig FILE");
            return 2;
        }
        PierServer.Config config = new PierServer.Config(fromFiles ? files : List.of(), address, httpPort, adminPort,
                translate.options(), eventLoops, 250);
        PierServer server;
        if (fromFiles) {
            server = PierServer.startWithFiles(config);
        } else {
            if (publishService != null && publishAddress != null) {
                System.err.println("pier serve: --publish-service and --publish-address exclude each other; give one");
                return 2;
            }
            KubeSourceOptions kube;
            try {
                kube = KubeSourceOptions.defaults(leaseNamespace, identity())
                        .withWatchNamespaces(watchNamespaces == null ? Set.of() : watchNamespaces)
                        .withLease(leaseName, java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(2));
                if (publishService != null) kube = kube.withPublishService(publishService);
                if (publishAddress != null) kube = kube.withPublishAddress(publishAddress);
            } catch (IllegalArgumentException e) {
                System.err.println("pier serve: " + e.getMessage());
                return 2;
            }
            server = PierServer.startWithKubernetes(config, kubernetesClient(), kube);
        }
        if (demoBackend) {
            DemoBackend.start(server.vertx()).await(10, TimeUnit.SECONDS);
            log.info("demo backends listening on 127.0.0.1:{}", DemoBackend.PORTS);
        }
        log.info("pier {} started: proxy on :{}, admin on :{} (try curl localhost:{}/routes)",
                VersionCommand.version(), server.httpPort(), server.adminPort(), server.adminPort());
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

    /** Durations as GatewayRoute fields write them: {@code 500ms}, {@code 5s}, {@code 1m30s}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }

    private KubernetesClient kubernetesClient() throws java.io.IOException {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (kubeconfig != null) {
            builder.withConfig(Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString()));
        }
        return builder.build();
    }

    /** The Lease holder's name: the pod name in a cluster, else host and process. */
    private static String identity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) return pod;
        return ProcessHandle.current().pid() + "@" + System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
}
