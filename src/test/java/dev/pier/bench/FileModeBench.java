package dev.pier.bench;

import dev.pier.PierServer;
import dev.pier.translate.TranslateOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * File mode's change to traffic: a directory of N Ingresses (files of 1,000 each, as a mounted ConfigMap set or a
 * GitOps checkout would hold them) and one Service with a loopback backend; Pier in this JVM polls it at the
 * shipped interval ({@code --file} polls every 250 ms). Per change: a quiet gap, then one new file with one new
 * Ingress (written as a dot-file, which Pier skips, and renamed into place, as editors and ConfigMap mounts do);
 * the time from the rename to the first 200 through Pier. Prints RESULT lines; asserts nothing about time.
 *
 *   bench/kube-bench.sh runs it after the cluster bench; alone: java ... dev.pier.bench.FileModeBench [SIZES...]
 */
public final class FileModeBench {
    private static final int CHANGES = Integer.getInteger("fileChanges", 100);
    private static final int GAP_MILLIS = Integer.getInteger("gapMillis", 250);
    /** As {@code pier serve --file} polls (ServeCommand). */
    private static final long POLL_MILLIS = Long.getLong("filePollMillis", 250);
    private static final int PER_FILE = 1_000;

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{1_000, 10_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Vertx vertx = Vertx.vertx();
        Path dir = Files.createTempDirectory("pier-file-bench-");
        try {
            HttpServer backend = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
                    .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAliveTimeout(2));
            Files.writeString(dir.resolve("web.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: bench}
                    spec: {ports: [{name: http, port: 80}]}
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: web-1, namespace: bench, labels: {kubernetes.io/service-name: web}}
                    addressType: IPv4
                    ports: [{name: http, port: %d}]
                    endpoints: [{addresses: [127.0.0.1]}]
                    """.formatted(backend.actualPort()));
            System.out.printf("file mode: poll every %d ms, %d changes per size, %d ms quiet before each%n", POLL_MILLIS, CHANGES, GAP_MILLIS);
            int present = 0;
            for (int size : sizes) {
                for (int from = present; from < size; from += PER_FILE) {
                    StringBuilder yaml = new StringBuilder();
                    for (int i = from; i < Math.min(size, from + PER_FILE); i++) yaml.append(ingress("r" + i));
                    Files.writeString(dir.resolve("ingresses-" + from + ".yaml"), yaml, StandardCharsets.UTF_8);
                }
                present = size;
                PierServer pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                        TranslateOptions.DEFAULTS, 1, POLL_MILLIS));
                try {
                    await(http, pier, "r" + (size - 1), System.nanoTime());
                    long[] served = new long[CHANGES];
                    for (int k = 0; k < CHANGES; k++) {
                        Thread.sleep(GAP_MILLIS);
                        String name = "f" + size + "-" + k;
                        Path hidden = dir.resolve(".change-" + name + ".yaml");
                        Files.writeString(hidden, ingress(name), StandardCharsets.UTF_8);
                        long start = System.nanoTime();
                        Files.move(hidden, dir.resolve("change-" + name + ".yaml"), StandardCopyOption.ATOMIC_MOVE);
                        await(http, pier, name, start);
                        served[k] = System.nanoTime() - start;
                    }
                    Arrays.sort(served);
                    System.out.printf("RESULT file mode, %,d Ingresses present: file rename to first 200 p50 %.0f ms, p99 %.0f ms,"
                                    + " max %.0f ms (%d changes, %d table swaps)%n", size, KubeBench.pct(served, 50),
                            KubeBench.pct(served, 99), served[served.length - 1] / 1e6, CHANGES, pier.state().view().swaps());
                } finally {
                    pier.close();
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().startsWith("change-")).toList()) Files.delete(f);
                }
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
    }

    private static String ingress(String name) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %1$s, namespace: bench}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: %1$s.bench.test
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                """.formatted(name);
    }

    private static void await(HttpClient http, PierServer pier, String name, long start) throws Exception {
        while (status(http, pier, name + ".bench.test") != 200) {
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(120)) throw new IllegalStateException(name + " not served in 120 s");
            Thread.sleep(2);
        }
    }

    private static int status(HttpClient http, PierServer pier, String host) throws Exception {
        return http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(pier.httpPort())
                        .setURI("/").putHeader("host", host))
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
                .await(10, TimeUnit.SECONDS);
    }
}
