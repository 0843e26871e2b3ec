package dev.pier.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.LiveState;
import dev.pier.PierServer;
import dev.pier.proxy.OutlierOptions;
import dev.pier.proxy.TlsEngine;
import dev.pier.translate.TranslateOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load balancers and uptime checkers probe with HEAD as often as with GET: {@code /healthz} and
 * {@code /readyz} answer HEAD with GET's status and headers and no body, over a real socket.
 */
class AdminProbesTest {

    /** The raw response to one HTTP/1.1 request (the server closes after it), as the bytes arrived. */
    private static String exchange(int port, String method, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String head(String response) {
        return response.substring(0, response.indexOf("\r\n\r\n") + 4);
    }

    /** HEAD's response is GET's status line and headers, and nothing after them. */
    private static void assertHeadAnswersLikeGet(int port, String path, int status) throws Exception {
        String get = exchange(port, "GET", path);
        String head = exchange(port, "HEAD", path);
        assertThat(get).startsWith("HTTP/1.1 " + status + " ");
        assertThat(head(get).length()).as("GET has a body").isLessThan(get.length());
        assertThat(head).as("HEAD " + path).isEqualTo(head(get));
    }

    @Test
    void headOnHealthzAndReadyzBeforeATableIsLiveAndWhileDraining() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            AdminServer admin = new AdminServer(vertx, List.of(AdminServer.LOOPBACK), 0, new LiveState(),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), view -> "{}", request -> null);
            int port = admin.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertHeadAnswersLikeGet(port, "/healthz", 200);
            assertHeadAnswersLikeGet(port, "/readyz", 503);
            admin.draining();
            assertHeadAnswersLikeGet(port, "/readyz", 503);
            assertThat(exchange(port, "HEAD", "/readyz")).contains("content-length: " + "draining: shutting down\n".length());
            admin.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void headOnReadyzOnceFilesAreLive(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("empty.yaml"), "");
        try (PierServer pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 1, 50, "pier", List.of(), OutlierOptions.DEFAULTS, -1, 443, TlsEngine.AUTO))) {
            assertHeadAnswersLikeGet(pier.adminPort(), "/readyz", 200);
            assertHeadAnswersLikeGet(pier.adminPort(), "/healthz", 200);
        }
    }
}
