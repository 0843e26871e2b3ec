package dev.pier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --transport} where the native transports cannot load: {@code pier serve} in a JVM of its
 * own, started with Netty's {@code -Dio.netty.transport.noNative=true} (what a kernel without
 * io_uring, or a seccomp profile refusing {@code io_uring_setup}, looks like to Pier: Netty reports
 * the transport unavailable with a cause).
 */
class TransportChoiceTest {
    @TempDir
    Path dir;

    @Test
    void anExplicitTransportThatCannotLoadStopsPierNamingWhy() throws Exception {
        for (String transport : List.of("io_uring", "epoll")) {
            Process pier = serve(transport, 0);
            assertThat(pier.waitFor(60, TimeUnit.SECONDS)).as("pier with --transport " + transport + " exits").isTrue();
            String output = Files.readString(dir.resolve("pier.log"));
            assertThat(pier.exitValue()).as(output).isEqualTo(2);
            assertThat(output).contains("pier serve: --transport " + transport + ": the " + transport
                    + " transport is not available here: Native transport was explicit disabled").doesNotContain("\tat ");
        }
    }

    @Test
    void autoServesOnNioAndSaysWhyNotEpoll() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process pier = serve("auto", port);
        try {
            String line = "Sockets on the nio transport (epoll is not available here: Native transport was explicit disabled";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("pier.log")).contains(line) && pier.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(dir.resolve("pier.log"))).contains(line);
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> answer = null;
            while (answer == null) { // the transport is chosen before the listeners bind
                try {
                    answer = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
                } catch (java.net.ConnectException e) {
                    if (!pier.isAlive() || System.nanoTime() > deadline) throw e;
                    Thread.sleep(100);
                }
            }
            assertThat(answer.statusCode()).as("Pier answers on NIO: the quick start routes only demo.local").isEqualTo(404);
        } finally {
            pier.destroy();
            pier.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process serve(String transport, int httpPort) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.transport.noNative=true", "-cp", System.getProperty("java.class.path"), "dev.pier.Main",
                "serve", "--file", "examples/quickstart.yaml", "--address", "127.0.0.1", "--http-port", Integer.toString(httpPort),
                "--https-port", "-1", "--admin-port", "0", "--log-format", "text", "--transport", transport));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("pier.log").toFile()).start();
    }
}
