package dev.pier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as a pod runs it: {@code java -jar pier.jar serve}, stopped with SIGTERM.
 * Runs after {@code package} (failsafe), because it needs the real jar and a real signal.
 */
class GracefulShutdownIT {
    // Long enough for the checks made during it on a loaded machine.
    private static final Duration DRAIN_DELAY = Duration.ofSeconds(6);

    @TempDir
    Path dir;
    Vertx vertx;
    int backendPort;
    int httpPort;
    int adminPort;
    Process pier;
    Path log;

    @BeforeEach
    void backend() throws Exception {
        vertx = Vertx.vertx();
        HttpServer backend = vertx.createHttpServer().requestHandler(req -> {
            long delay = req.getParam("delay") == null ? 0 : Long.parseLong(req.getParam("delay"));
            Runnable answer = () -> req.response().end("backend saw " + req.path());
            if (delay > 0) vertx.setTimer(delay, id -> answer.run());
            else answer.run();
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        backendPort = backend.actualPort();
        Files.writeString(dir.resolve("routes.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: pier}
                spec: {controller: pier.dev/ingress-controller}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  ports: [{name: http, port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-1
                  namespace: default
                  labels: {kubernetes.io/service-name: web}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: default}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: drain.test
                    http:
                      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]
                """.formatted(backendPort));
    }

    @AfterEach
    void stop() throws Exception {
        if (pier != null && pier.isAlive()) pier.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("pier.jar", "target/pier.jar"));
        assertThat(jar).as("the packaged jar (failsafe runs after package)").isRegularFile();
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void startPier(List<String> jvmFlags, String drainDelay, String drainTimeout) throws Exception {
        httpPort = freePort();
        adminPort = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar().toString(), "serve", "--file", dir.resolve("routes.yaml").toString(),
                "--address", "127.0.0.1", "--http-port", Integer.toString(httpPort), "--admin-port", Integer.toString(adminPort),
                "--event-loops", "2", "--drain-delay", drainDelay, "--drain-timeout", drainTimeout, "--ingress-class", "pier"));
        log = dir.resolve("pier.log");
        pier = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (readyz().status() != 200) {
            assertThat(pier.isAlive()).as("pier exited at startup:\n%s", output()).isTrue();
            assertThat(System.nanoTime()).as("ready within 60 s:\n%s", output()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private String output() throws IOException {
        return Files.readString(log);
    }

    record Answer(int status, String body) {}

    private Answer readyz() {
        try {
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sigtermDrainsConnectionsLetsRequestsFinishAndExitsZero() throws Exception {
        startPier(List.of(), DRAIN_DELAY.toSeconds() + "s", "20s");
        HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(httpPort),
                new PoolOptions().setHttp2MaxSize(1));
        Promise<Void> goAway = Promise.promise();
        try (Socket keepAlive = new Socket("127.0.0.1", httpPort); Socket slow = new Socket("127.0.0.1", httpPort)) {
            keepAlive.setSoTimeout(20_000);
            slow.setSoTimeout(40_000);
            assertThat(exchange(keepAlive, "/first")).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
            assertThat(h2get(h2, "/h2-first", goAway)).isEqualTo("backend saw /h2-first");
            // In flight at SIGTERM, and longer than the drain delay.
            slow.getOutputStream().write(request("/slow?delay=" + (DRAIN_DELAY.toMillis() + 3000)));

            long signalled = System.nanoTime();
            pier.destroy(); // SIGTERM

            Answer ready = readyz();
            for (int i = 0; i < 50 && ready.status() == 200; i++) {
                Thread.sleep(20);
                ready = readyz();
            }
            assertThat(ready.status()).as("/readyz right after SIGTERM").isEqualTo(503);
            assertThat(ready.body()).contains("draining");

            // During the delay traffic is served, and keep-alive clients are told to reconnect.
            assertThat(exchange(keepAlive, "/second")).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("connection: close").contains("backend saw /second");
            assertThat(keepAlive.getInputStream().read()).as("closed after that answer").isEqualTo(-1);
            assertThat(h2get(h2, "/h2-second", goAway)).isEqualTo("backend saw /h2-second");
            goAway.future().await(10, TimeUnit.SECONDS);
            try (Socket late = new Socket("127.0.0.1", httpPort)) {
                late.setSoTimeout(20_000);
                assertThat(exchange(late, "/late")).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("checks done within the delay")
                    .isLessThan(DRAIN_DELAY);

            // After the delay: no new connections, but the request in flight still gets its answer.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (accepts() && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(accepts()).as("listener closed after the delay").isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isGreaterThanOrEqualTo(DRAIN_DELAY);
            assertThat(readResponse(slow.getInputStream())).startsWith("HTTP/1.1 200").contains("backend saw /slow");

            assertThat(pier.waitFor(30, TimeUnit.SECONDS)).as("exits after the drain:\n%s", output()).isTrue();
            assertThat(pier.exitValue()).as(output()).isZero();
            assertThat(output()).contains("draining: /readyz answers 503").contains("drained:");
        } finally {
            h2.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsAndServesWithNoWritableDirectoryAtAll() throws Exception {
        // A temp dir below a regular file cannot be created, even by root: like a read-only root
        // filesystem without the /tmp volume. Vert.x's file cache used to fail the start here.
        Path file = Files.writeString(dir.resolve("not-a-dir"), "");
        startPier(List.of("-Djava.io.tmpdir=" + file.resolve("tmp")), "0s", "5s");
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            socket.setSoTimeout(20_000);
            assertThat(exchange(socket, "/ro")).startsWith("HTTP/1.1 200").contains("backend saw /ro");
        }
        pier.destroy();
        assertThat(pier.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pier.exitValue()).as(output()).isZero();
        assertThat(output()).doesNotContain("vertx-cache").doesNotContain("Unable to create folder");
        assertThat(file.getParent()).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("vertx"));
    }

    @Test
    void aBadDrainDurationIsRefusedWithItsFlagNamed() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString(),
                "serve", "--file", dir.resolve("routes.yaml").toString(), "--drain-delay", "5 seconds")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("--drain-delay").contains("5 seconds");
    }

    private boolean accepts() {
        try (Socket s = new Socket("127.0.0.1", httpPort)) {
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private String h2get(HttpClient h2, String path, Promise<Void> goAway) {
        Promise<String> body = Promise.promise();
        vertx.runOnContext(v -> h2.request(HttpMethod.GET, path).compose(req -> {
            req.authority(io.vertx.core.net.HostAndPort.authority("drain.test"));
            req.connection().goAwayHandler(g -> goAway.tryComplete());
            return req.send().compose(HttpClientResponse::body);
        }).map(Buffer::toString).onComplete(body));
        try {
            return body.future().await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("h2 GET " + path + " failed: " + e, e);
        }
    }

    private static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: drain.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String exchange(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(request(path));
        return readResponse(socket.getInputStream());
    }

    /** Reads one answer: its head, then a Content-Length body or a chunked one. */
    private static String readResponse(InputStream in) throws IOException {
        String head = readLine(in, true);
        StringBuilder all = new StringBuilder(head);
        int length = -1;
        boolean chunked = false;
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase();
            if (lower.startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        if (!chunked) return all.append(new String(in.readNBytes(Math.max(0, length)), StandardCharsets.UTF_8)).toString();
        while (true) {
            int size = Integer.parseInt(readLine(in, false).trim(), 16);
            all.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
            readLine(in, false);
            if (size == 0) return all.toString();
        }
    }

    /** A line (or, with {@code head}, everything up to the blank line) including its CRLF. */
    private static String readLine(InputStream in, boolean head) throws IOException {
        StringBuilder sb = new StringBuilder();
        String end = head ? "\r\n\r\n" : "\r\n";
        while (sb.length() < end.length() || !sb.substring(sb.length() - end.length()).equals(end)) {
            int b = in.read();
            if (b < 0) throw new IOException("closed mid-answer after: " + sb);
            sb.append((char) b);
        }
        return sb.toString();
    }
}
