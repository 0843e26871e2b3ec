package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.PathMatch;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane's graceful drain over real sockets: connections told to go (HTTP/1
 * {@code Connection: close}, HTTP/2 GOAWAY), requests in flight finishing, no new connections
 * after the listener closes, websockets ended with a close frame. The signal and {@code /readyz}
 * are covered with the real jar by {@code GracefulShutdownIT}.
 */
class DrainTest {
    Fixture f;

    @BeforeEach
    void start() {
        f = new Fixture();
        f.endpoints("svc", f.backend("a"));
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** Runs finishDraining on its own thread, as the signal handler's thread does. */
    private CompletableFuture<Void> finishDraining(Duration timeout) {
        return CompletableFuture.runAsync(() -> {
            try {
                f.plane.finishDraining(timeout);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aKeepAliveClientIsToldToCloseAndTheConnectionCloses() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", f.port)) {
            socket.setSoTimeout(10_000);
            String first = exchange(socket, "/before");
            assertThat(first).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");

            f.plane.startDraining(Duration.ofSeconds(30));
            String second = exchange(socket, "/during");
            assertThat(second).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
            assertThat(socket.getInputStream().read()).as("the connection is closed after that answer").isEqualTo(-1);
        }
        // Still accepting until the second part of the drain: a new connection is served, and told too.
        try (Socket socket = new Socket("127.0.0.1", f.port)) {
            socket.setSoTimeout(10_000);
            assertThat(exchange(socket, "/new")).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
        }
    }

    @Test
    void errorAnswersAreToldToCloseToo() throws Exception {
        f.plane.apply(table(host("empty.test", route("e", PathMatch.prefix("/"), "nothing")),
                host("*", route("r", PathMatch.prefix("/"), "svc"))));
        f.plane.startDraining(Duration.ofSeconds(30));
        try (Socket socket = new Socket("127.0.0.1", f.port)) {
            socket.setSoTimeout(10_000);
            // An error answer replaces every header it was given; the drain's header is added after.
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: empty.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 503").containsIgnoringCase("connection: close");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void http2ConnectionsGetGoAwayAndTheirStreamsFinish() {
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port),
                new PoolOptions().setHttp2MaxSize(1));
        try {
            Promise<Void> goAway = Promise.promise();
            String before = await(f.onLoop(() -> h2.request(HttpMethod.GET, "/before").compose(req -> {
                req.connection().goAwayHandler(g -> goAway.tryComplete());
                return req.send().compose(HttpClientResponse::body);
            }).map(Buffer::toString)));
            assertThat(before).contains("\"backend\":\"a\"");

            f.plane.startDraining(Duration.ofSeconds(30));
            // A slow stream on the same connection: it gets GOAWAY, and still its whole answer.
            String during = await(f.onLoop(() -> h2.request(HttpMethod.GET, "/during?delay=300")
                    .compose(HttpClientRequest::send).compose(HttpClientResponse::body).map(Buffer::toString)));
            assertThat(during).contains("\"path\":\"/during\"");
            await(goAway.future());
        } finally {
            await(h2.close());
        }
    }

    @Test
    void requestsInFlightFinishThenTheListenerIsClosed() throws Exception {
        try (Socket before = new Socket("127.0.0.1", f.port); Socket during = new Socket("127.0.0.1", f.port);
             Socket idle = new Socket("127.0.0.1", f.port)) {
            for (Socket s : new Socket[] {before, during, idle}) s.setSoTimeout(20_000);
            assertThat(exchange(idle, "/warm")).startsWith("HTTP/1.1 200");
            before.getOutputStream().write(request("/before?delay=1500"));
            waitUntil(() -> f.plane.activeRequests() == 1);

            f.plane.startDraining(Duration.ofSeconds(30));
            during.getOutputStream().write(request("/during?delay=1500"));
            waitUntil(() -> f.plane.activeRequests() == 2);
            long start = System.nanoTime();
            CompletableFuture<Void> drained = finishDraining(Duration.ofSeconds(20));

            // Begun before the drain: its head was decided then, so no header, but the connection closes after it.
            assertThat(readResponse(before.getInputStream())).startsWith("HTTP/1.1 200").contains("/before");
            assertThat(before.getInputStream().read()).isEqualTo(-1);
            assertThat(readResponse(during.getInputStream())).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("connection: close").contains("/during");
            assertThat(during.getInputStream().read()).isEqualTo(-1);
            drained.get(20, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for the requests, not the timeout")
                    .isLessThan(Duration.ofSeconds(15));
            assertThat(idle.getInputStream().read()).as("an idle keep-alive connection is closed").isEqualTo(-1);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", f.port).close()).isInstanceOf(ConnectException.class);
        assertThat(f.plane.activeRequests()).isZero();
    }

    @Test
    void aRequestLongerThanTheTimeoutIsCutAtTheTimeout() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", f.port)) {
            slow.setSoTimeout(30_000);
            slow.getOutputStream().write(request("/slow?delay=20000"));
            waitUntil(() -> f.plane.activeRequests() == 1);
            long start = System.nanoTime();
            finishDraining(Duration.ofSeconds(1)).get(15, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(slow.getInputStream().read()).as("cut without an answer").isEqualTo(-1);
        }
    }

    @Test
    void aWebsocketGetsACloseFrameGoingAwayAtTheEnd() throws Exception {
        var wsClient = f.vertx.createWebSocketClient();
        try {
            Promise<String> echo = Promise.promise();
            Promise<Short> closedWith = Promise.promise();
            WebSocket ws = await(f.onLoop(() -> wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(f.port).setURI("/chat")).onSuccess(socket -> {
                        socket.textMessageHandler(echo::tryComplete);
                        socket.binaryMessageHandler(b -> echo.tryComplete(b.toString()));
                        socket.closeHandler(v -> closedWith.tryComplete(socket.closeStatusCode()));
                    })));
            ws.writeTextMessage("hello");
            assertThat(await(echo.future())).isEqualTo("a:hello");
            assertThat(f.plane.activeRequests()).as("the handshake is over; the tunnel is not a request").isZero();

            f.plane.startDraining(Duration.ofSeconds(30));
            finishDraining(Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
            assertThat(await(closedWith.future())).isEqualTo((short) 1001);
        } finally {
            await(wsClient.close());
        }
    }

    private static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: drain.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends one GET on the socket and reads its whole answer (the fixture's backend always sends a length). */
    private static String exchange(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(request(path));
        return readResponse(socket.getInputStream());
    }

    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the end of the head: " + head);
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met in 10 s");
            Thread.sleep(10);
        }
    }
}
