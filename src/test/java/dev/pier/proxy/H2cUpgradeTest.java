package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Upgrade: h2c} (RFC 7540 section 3.2) on the cleartext port: {@link H2Front} answers the 101 and
 * serves the request as stream 1; an upgrade asked wrongly gets a 400 and never reaches a backend; a
 * request with a body stays on HTTP/1.1.
 */
class H2cUpgradeTest {
    /** base64url of SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=65535 (what clients send). */
    private static final String SETTINGS = "AAMAAABkAAQAAP__";
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    Fixture f;
    final AtomicInteger backendHits = new AtomicInteger();

    @BeforeEach
    void start() {
        f = new Fixture();
        f.endpoints("svc", f.backend("a", req -> {
            backendHits.incrementAndGet();
            req.body().onSuccess(body -> {
                JsonObject headers = new JsonObject();
                req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
                req.response().putHeader("content-type", "application/json").end(new JsonObject()
                        .put("path", req.path()).put("method", req.method().name()).put("body", body.toString())
                        .put("headers", headers).encode());
            });
        }));
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static String upgradeRequest(String path, String extraHeaders) {
        return "GET " + path + " HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: " + SETTINGS + "\r\n" + extraHeaders + "\r\n";
    }

    @Test
    void theUpgradeIsAnsweredAndTheRequestIsServedAsStreamOneByTheFront() throws Exception {
        long tookBefore = H2Front.taken();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(upgradeRequest("/up?q=1", "X-Test: yes\r\nTE: trailers\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101 ");
            assertThat(head.toLowerCase()).contains("upgrade: h2c").contains("connection: upgrade");
            // After the 101: the client's preface and its SETTINGS; stream 1's answer follows on HTTP/2.
            out.write(PREFACE);
            out.write(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0});
            out.flush();
            Stream1 answer = readStream1(in);
            assertThat(answer.status).isEqualTo("200");
            JsonObject json = new JsonObject(answer.body.toString(StandardCharsets.UTF_8));
            assertThat(json.getString("path")).isEqualTo("/up");
            JsonObject headers = json.getJsonObject("headers");
            assertThat(headers.getString("x-test")).isEqualTo("yes");
            assertThat(headers.getString("host")).isEqualTo("example.test");
            assertThat(headers.fieldNames()).doesNotContain("upgrade", "http2-settings");
        }
        assertThat(H2Front.taken() - tookBefore).as("connections H2Front took").isEqualTo(1);
        assertThat(backendHits.get()).isEqualTo(1);
    }

    @Test
    void curlUpgradesToH2c() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        Assumptions.assumeTrue(Files.isExecutable(curl), "curl is not installed (Debian package curl): skipped");
        long tookBefore = H2Front.taken();
        Process p = new ProcessBuilder(curl.toString(), "-s", "--http2", "--max-time", "20", "-w", "\n%{http_version}",
                "http://127.0.0.1:" + f.port + "/c?x=1").redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
        assertThat(lines[lines.length - 1]).as("the HTTP version curl used").isEqualTo("2");
        assertThat(new JsonObject(lines[0]).getString("path")).isEqualTo("/c");
        assertThat(H2Front.taken() - tookBefore).isEqualTo(1);
    }

    @Test
    void anUpgradeAskedWronglyIsRefusedWith400AndNeverReachesABackend() throws Exception {
        String[] wrong = {
            upgradeRequest("/", "").replace(SETTINGS, "not*base64"), // not base64url
            upgradeRequest("/", "").replace(SETTINGS, "AAMAAABkAA"), // 7 bytes: not whole settings
            upgradeRequest("/", "").replace(SETTINGS, "AASAAAAA"), // INITIAL_WINDOW_SIZE 2^31: out of range
            upgradeRequest("/", "").replace("Connection: Upgrade, HTTP2-Settings", "Connection: Upgrade"),
            upgradeRequest("/", "HTTP2-Settings: " + SETTINGS + "\r\n"), // two of them
        };
        for (String request : wrong) {
            RawHttp.Answer answer = RawHttp.exchange(f.port, request.getBytes(StandardCharsets.US_ASCII), 5_000);
            assertThat(answer.status()).as(request).isEqualTo(400);
            assertThat(answer.closed()).as(request).isTrue();
            assertThat(answer.text()).as(request).contains("h2c upgrade");
        }
        assertThat(backendHits.get()).isZero();
    }

    @Test
    void aRequestWithABodyStaysOnHttp1() throws Exception {
        String request = "POST /b HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: " + SETTINGS + "\r\nContent-Length: 5\r\n\r\nhello";
        long tookBefore = H2Front.taken();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), f.port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 ");
            int length = Integer.parseInt(head.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim());
            JsonObject json = new JsonObject(new String(in.readNBytes(length), StandardCharsets.UTF_8));
            assertThat(json.getString("body")).isEqualTo("hello");
            assertThat(json.getJsonObject("headers").fieldNames()).doesNotContain("upgrade", "http2-settings");
        }
        assertThat(H2Front.taken() - tookBefore).isZero();
    }

    @Test
    void anHttp10RequestIsNotUpgraded() throws Exception {
        long tookBefore = H2Front.taken();
        String request = upgradeRequest("/old", "").replace("HTTP/1.1", "HTTP/1.0");
        RawHttp.Answer answer = RawHttp.exchange(f.port, request.getBytes(StandardCharsets.US_ASCII), 20_000);
        assertThat(answer.text()).startsWith("HTTP/1.0 200 ");
        assertThat(answer.closed()).isTrue();
        assertThat(H2Front.taken() - tookBefore).isZero();
    }

    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static final class Stream1 {
        String status;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended;
    }

    /** Reads HTTP/2 frames until stream 1 ends: its :status and body. */
    private static Stream1 readStream1(InputStream in) throws Exception {
        Stream1 s = new Stream1();
        DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
        Http2FrameAdapter listener = new Http2FrameAdapter() {
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end) {
                if (streamId != 1) return;
                if (headers.status() != null) s.status = headers.status().toString();
                s.ended |= end;
            }

            @Override
            public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
                if (streamId == 1) {
                    byte[] bytes = new byte[data.readableBytes()];
                    data.readBytes(bytes);
                    s.body.write(bytes, 0, bytes.length);
                    s.ended |= end;
                }
                return data.readableBytes() + padding;
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext context = channel.pipeline().firstContext(); // the reader allocates through it
        ByteBuf input = Unpooled.buffer();
        byte[] chunk = new byte[4096];
        try {
            while (!s.ended) {
                int n = in.read(chunk);
                if (n < 0) break;
                input.writeBytes(chunk, 0, n);
                reader.readFrame(context, input, listener);
                input.discardReadBytes();
            }
        } finally {
            input.release();
            reader.close();
            channel.finishAndReleaseAll();
        }
        assertThat(s.ended).as("stream 1 ended").isTrue();
        return s;
    }
}
