package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pier's own HTTP/1.1 connections to backends ({@link BackendPool}, {@link BackendConnection}),
 * against a scripted backend on a real socket that counts the connections it accepts, and a raw
 * client on one keep-alive connection (so every request runs on the same event loop and pool).
 */
class BackendConnectionTest {
    private Fixture f;
    private ScriptedBackend backend;

    /** How the scripted backend answers one request: writes to {@code out}, returns whether to keep the connection open. */
    interface Script {
        boolean answer(String head, OutputStream out) throws Exception;
    }

    private void start(int maxConnections, int maxWaitQueue, Script script) throws IOException {
        f = new Fixture(new SimpleMeterRegistry(), new ProxyOptions("127.0.0.1", 0, maxConnections, maxWaitQueue,
                Duration.ofSeconds(2), Duration.ofSeconds(10), 1, ProxyOptions.DEFAULT_SERVER_HEADER));
        backend = new ScriptedBackend(script);
        f.endpoints("svc", backend.endpoint());
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() throws IOException {
        if (f != null) f.close();
        if (backend != null) backend.close();
    }

    private static Script ok(String body) {
        return (head, out) -> {
            out.write(("HTTP/1.1 200 OK\r\ncontent-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            return true;
        };
    }

    @Test
    void aKeptAliveConnectionCarriesRequestAfterRequest() throws Exception {
        start(64, 1024, ok("hello"));
        try (Client c = new Client(f.port)) {
            for (int i = 0; i < 5; i++) assertThat(c.get("/" + i)).isEqualTo("200 hello");
        }
        assertThat(backend.accepted.get()).isEqualTo(1);
    }

    @Test
    void connectionCloseFromTheBackendIsHonoured() throws Exception {
        start(64, 1024, (head, out) -> {
            out.write("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            return false;
        });
        try (Client c = new Client(f.port)) {
            for (int i = 0; i < 3; i++) assertThat(c.get("/")).isEqualTo("200 ok");
        }
        assertThat(backend.accepted.get()).isEqualTo(3);
    }

    @Test
    void aConnectionTheBackendClosedWhileIdleIsNotUsedAgain() throws Exception {
        start(64, 1024, (head, out) -> {
            out.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            return false; // closes without saying so
        });
        try (Client c = new Client(f.port)) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.get("/")).isEqualTo("200 ok");
                Thread.sleep(200); // the close reaches Pier while the connection is idle
            }
        }
        assertThat(backend.accepted.get()).isEqualTo(3);
    }

    @Test
    void interimResponsesAreSkippedAndTheFinalOneRelayed() throws Exception {
        start(64, 1024, (head, out) -> {
            out.write(("HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfinal").getBytes(StandardCharsets.US_ASCII));
            return true;
        });
        try (Client c = new Client(f.port)) {
            assertThat(c.get("/")).isEqualTo("200 final");
            assertThat(c.get("/")).isEqualTo("200 final");
        }
        assertThat(backend.accepted.get()).isEqualTo(1);
    }

    @Test
    void theAnswerToHeadHasNoBodyWhateverItsLengthAndTheConnectionStaysInUse() throws Exception {
        start(64, 1024, (head, out) -> {
            boolean isHead = head.startsWith("HEAD ");
            out.write(("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n" + (isHead ? "" : "body")).getBytes(StandardCharsets.US_ASCII));
            return true;
        });
        try (Client c = new Client(f.port)) {
            assertThat(c.exchange("HEAD", "/", true)).isEqualTo("200 ");
            assertThat(c.get("/")).isEqualTo("200 body");
        }
        assertThat(backend.accepted.get()).isEqualTo(1);
    }

    @Test
    void aChunkedResponseIsRelayedWhole() throws Exception {
        start(64, 1024, (head, out) -> {
            out.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(50); // a second read on Pier's side
            out.write("6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return true;
        });
        try (Client c = new Client(f.port)) {
            assertThat(c.get("/")).isEqualTo("200 hello world");
            assertThat(c.get("/")).isEqualTo("200 hello world");
        }
        assertThat(backend.accepted.get()).isEqualTo(1);
    }

    @Test
    void aMalformedResponseIs502AndItsConnectionIsDropped() throws Exception {
        AtomicInteger n = new AtomicInteger();
        start(64, 1024, (head, out) -> {
            if (n.getAndIncrement() == 0) {
                out.write("HTTP/1.1 abc\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return true;
            }
            out.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            return true;
        });
        try (Client c = new Client(f.port)) {
            assertThat(c.get("/")).startsWith("502 ");
        }
        try (Client c = new Client(f.port)) {
            assertThat(c.get("/")).isEqualTo("200 ok");
        }
        assertThat(backend.accepted.get()).isEqualTo(2);
    }

    @Test
    void theBoundOnConnectionsHoldsAndItsWaitQueueIsServedInTurn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(1, 1, (head, out) -> {
            if (head.startsWith("GET /slow ")) release.await(10, TimeUnit.SECONDS);
            out.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            return true;
        });
        try (Client slow = new Client(f.port); Client waiting = new Client(f.port); Client refused = new Client(f.port)) {
            slow.send("GET", "/slow");
            Thread.sleep(200); // the one connection is busy with /slow
            waiting.send("GET", "/next");
            Thread.sleep(200); // /next waits in the queue, which is now full
            assertThat(refused.get("/third")).startsWith("503 ");
            release.countDown();
            assertThat(slow.read(false)).isEqualTo("200 ok");
            assertThat(waiting.read(false)).isEqualTo("200 ok");
        }
        assertThat(backend.accepted.get()).isEqualTo(1);
    }

    // ---- a backend that answers by script, one thread per connection ----

    static final class ScriptedBackend implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket server;

        ScriptedBackend(Script script) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> serve(s, script), "scripted-backend-conn");
                    t.setDaemon(true);
                    t.start();
                }
            }, "scripted-backend");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void serve(Socket s, Script script) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) return;
                    long length = contentLength(head);
                    for (long i = 0; i < length; i++) if (in.read() < 0) return;
                    boolean keep = script.answer(head, out);
                    out.flush();
                    if (!keep) return;
                }
            } catch (Exception ignored) {
                // the proxy went away
            }
        }

        Endpoint endpoint() {
            return Endpoint.of("127.0.0.1", server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    // ---- a raw HTTP/1.1 client on one connection ----

    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private String lastMethod;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
        }

        String get(String path) throws IOException {
            return exchange("GET", path, false);
        }

        String exchange(String method, String path, boolean noBody) throws IOException {
            send(method, path);
            return read(noBody);
        }

        void send(String method, String path) throws IOException {
            lastMethod = method;
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nhost: backend.test\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }

        /** "status body" of the next response. */
        String read(boolean noBody) throws IOException {
            String head = readHead(in);
            if (head == null) throw new IOException("connection closed before a response");
            int status = Integer.parseInt(head.substring(9, 12));
            if (noBody || "HEAD".equals(lastMethod)) return status + " ";
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                while (true) {
                    int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                    if (size == 0) {
                        while (!readLine(in).isEmpty()) { } // trailers
                        break;
                    }
                    body.write(in.readNBytes(size));
                    readLine(in);
                }
            } else {
                body.write(in.readNBytes((int) contentLength(head)));
            }
            return status + " " + body.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (true) {
            line = readLine(in);
            if (line == null) return null;
            if (line.isEmpty()) return head.toString();
            head.append(line).append("\r\n");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') line.setLength(n - 1);
                return line.toString();
            }
            line.append((char) b);
        }
        if (line.length() == 0) return null;
        throw new UncheckedIOException(new IOException("connection closed mid-line"));
    }

    static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }
}
