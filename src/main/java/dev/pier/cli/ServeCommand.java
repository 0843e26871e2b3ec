package dev.pier.cli;

import dev.pier.PierServer;
import dev.pier.translate.TranslateOptions;
import java.nio.file.Path;
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
        PierServer server = PierServer.startWithFiles(new PierServer.Config(files, address, httpPort, adminPort,
                new TranslateOptions(ingressClass, TranslateOptions.CONTROLLER_NAME, allowExternalName), eventLoops, 250));
        if (demoBackend) {
            DemoBackend.start(server.vertx()).await(10, TimeUnit.SECONDS);
            log.info("demo backends listening on 127.0.0.1:{}", DemoBackend.PORTS);
        }
        log.info("pier {} ready: try  curl -H 'Host: demo.local' localhost:{}/   and  curl localhost:{}/routes",
                VersionCommand.version(), server.httpPort(), server.adminPort());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            server.close();
            stopped.countDown();
        }, "pier-shutdown"));
        stopped.await();
        return 0;
    }
}
