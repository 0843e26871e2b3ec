package dev.pier.cli;

import dev.pier.LiveState;
import dev.pier.Pipeline;
import dev.pier.admin.AdminServer;
import dev.pier.proxy.DataPlane;
import dev.pier.proxy.ProxyOptions;
import dev.pier.source.file.FileSource;
import dev.pier.translate.TranslateOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve traffic, routed by Ingresses and GatewayRoutes read from YAML files.")
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

    @Option(names = "--ingress-class", defaultValue = "${env:PIER_INGRESS_CLASS:-pier}",
            description = "The IngressClass name Pier serves. Env: PIER_INGRESS_CLASS. Default: ${DEFAULT-VALUE}.")
    String ingressClass;

    @Option(names = "--allow-external-name", defaultValue = "${env:PIER_ALLOW_EXTERNAL_NAME:-false}",
            description = "Allow ExternalName Services as backends (off: a route to one is rejected). Env: PIER_ALLOW_EXTERNAL_NAME.")
    boolean allowExternalName;

    @Option(names = "--log-format", defaultValue = "${env:PIER_LOG_FORMAT:-text}",
            description = "text or json. Env: PIER_LOG_FORMAT. Default: ${DEFAULT-VALUE}.")
    Logging.Format logFormat;

    @Option(names = "--demo-backend", defaultValue = "false",
            description = "Also start two demo HTTP backends on 127.0.0.1:8081 and :8082 (for the quick start).")
    boolean demoBackend;

    @Option(names = "--event-loops", defaultValue = "${env:PIER_EVENT_LOOPS:-0}",
            description = "Event loops serving traffic; 0 = one per core. Env: PIER_EVENT_LOOPS.")
    int eventLoops;

    @Override
    public Integer call() throws Exception {
        Logging.configure(logFormat);
        if (files == null || files.isEmpty()) {
            System.err.println("pier serve: give --file PATH (a YAML file or a directory)");
            return 2;
        }
        int loops = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LiveState state = new LiveState();

        if (demoBackend) {
            DemoBackend.start(vertx).await(10, TimeUnit.SECONDS);
            log.info("demo backends listening on 127.0.0.1:{}", DemoBackend.PORTS);
        }
        ProxyOptions proxyOptions = ProxyOptions.defaults(httpPort);
        proxyOptions = new ProxyOptions(address, httpPort, proxyOptions.maxConnectionsPerEndpoint(), proxyOptions.maxWaitQueue(),
                proxyOptions.connectTimeout(), proxyOptions.backendTimeout(), loops);
        DataPlane dataPlane = new DataPlane(vertx, proxyOptions, metrics);
        Pipeline pipeline = new Pipeline(dataPlane, new TranslateOptions(ingressClass, TranslateOptions.CONTROLLER_NAME, allowExternalName),
                state, Clock.systemUTC());
        FileSource source = new FileSource(files, pipeline, 250);
        boolean loaded = source.start();
        int boundHttp = dataPlane.start().await(30, TimeUnit.SECONDS);
        AdminServer admin = new AdminServer(vertx, address, adminPort, state, metrics, dev.pier.admin.RoutesJson::render);
        int boundAdmin = admin.start().await(30, TimeUnit.SECONDS);
        log.info("pier {} serving on {}:{} (admin :{}), files {}{}", VersionCommand.version(), address, boundHttp, boundAdmin,
                files, loaded ? "" : " (NOT loaded yet: see the error above and /routes)");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            source.close();
            try {
                dataPlane.close().await(10, TimeUnit.SECONDS);
                admin.close().await(5, TimeUnit.SECONDS);
                vertx.close().await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("unclean stop: {}", e.toString());
            }
            stopped.countDown();
        }, "pier-shutdown"));
        stopped.await();
        return 0;
    }
}
