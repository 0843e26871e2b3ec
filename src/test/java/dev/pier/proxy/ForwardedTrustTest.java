package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Forwarded headers are believed only from trusted proxies (issue 9, point 5): a client's own
 * X-Forwarded-* and X-Real-IP are replaced, a trusted front proxy's pass (its chain gets the peer
 * appended), a client's Connection header cannot strip them, and PROXY protocol v1 and v2 give
 * the client's address.
 */
class ForwardedTrustTest {
    Fixture f;

    private void start(List<Cidr> trusted, boolean proxyProtocol) {
        EdgePolicy edge = EdgePolicy.defaults().withForwarding(trusted, proxyProtocol);
        f = new Fixture(new SimpleMeterRegistry(), new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2),
                Duration.ofSeconds(30), 2, ProxyOptions.DEFAULT_SERVER_HEADER, edge));
        f.endpoints("svc", f.backend("svc"));
        f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Fixture.Reply get(String... headers) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < headers.length; i += 2) h.add(headers[i], headers[i + 1]);
        return f.send(HttpMethod.GET, "example.test", "/", h, null);
    }

    @Test
    void anUntrustedClientsForwardedHeadersAreReplaced() {
        start(List.of(), false);
        var reply = get("X-Forwarded-For", "203.0.113.7", "X-Real-IP", "203.0.113.7", "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "evil.test", "X-Forwarded-Port", "1");
        assertThat(reply.upstreamHeader("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(reply.upstreamHeader("x-real-ip")).isEqualTo("127.0.0.1");
        assertThat(reply.upstreamHeader("x-forwarded-proto")).isEqualTo("http");
        assertThat(reply.upstreamHeader("x-forwarded-host")).isEqualTo("example.test");
        assertThat(reply.upstreamHeader("x-forwarded-port")).isEqualTo(Integer.toString(f.port));
    }

    @Test
    void aTrustedProxysHeadersPassAndTheRealClientIsFoundInTheChain() {
        start(List.of(Cidr.parse("127.0.0.1"), Cidr.parse("10.0.0.0/8")), false);
        var reply = get("X-Forwarded-For", "198.51.100.1, 203.0.113.7, 10.1.2.3", "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "shop.test", "X-Real-IP", "6.6.6.6");
        assertThat(reply.upstreamHeader("x-forwarded-for")).isEqualTo("198.51.100.1, 203.0.113.7, 10.1.2.3, 127.0.0.1");
        assertThat(reply.upstreamHeader("x-real-ip")).isEqualTo("203.0.113.7"); // nearest untrusted hop
        assertThat(reply.upstreamHeader("x-forwarded-proto")).isEqualTo("https");
        assertThat(reply.upstreamHeader("x-forwarded-host")).isEqualTo("shop.test");
    }

    @Test
    void aClientsConnectionHeaderCannotStripWhatATrustedProxyAdded() {
        start(List.of(Cidr.parse("127.0.0.0/8")), false);
        var reply = get("Connection", "keep-alive, X-Forwarded-For, X-Real-IP, X-Forwarded-Proto, X-Private",
                "X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https", "X-Private", "secret");
        assertThat(reply.upstreamHeader("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(reply.upstreamHeader("x-real-ip")).isEqualTo("203.0.113.7");
        assertThat(reply.upstreamHeader("x-forwarded-proto")).isEqualTo("https");
        assertThat(reply.upstreamHeader("x-private")).isNull(); // other named headers still go
    }

    private JsonObject upstreamHeaders(RawHttp.Answer answer) {
        String text = answer.text();
        return new JsonObject(text.substring(text.indexOf("\r\n\r\n") + 4)).getJsonObject("headers");
    }

    @Test
    void proxyProtocolV1GivesTheClientsAddress() throws Exception {
        start(List.of(), true);
        String raw = "PROXY TCP4 198.51.100.9 127.0.0.1 55555 80\r\n"
                + "GET / HTTP/1.1\r\nHost: example.test\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\n\r\n";
        RawHttp.Answer answer = RawHttp.exchange(f.port, raw.getBytes(StandardCharsets.ISO_8859_1), 5000);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(upstreamHeaders(answer).getString("x-forwarded-for")).isEqualTo("198.51.100.9");
        assertThat(upstreamHeaders(answer).getString("x-real-ip")).isEqualTo("198.51.100.9");
    }

    @Test
    void proxyProtocolV2GivesTheClientsAddressAndFramingStaysStrict() throws Exception {
        start(List.of(), true);
        ByteArrayOutputStream v2 = new ByteArrayOutputStream();
        v2.write(new byte[]{0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a}); // signature
        v2.write(0x21); // version 2, PROXY
        v2.write(0x11); // TCP over IPv4
        v2.write(new byte[]{0, 12});
        v2.write(new byte[]{(byte) 198, 51, 100, 10, 127, 0, 0, 1, (byte) 0xd9, 0x03, 0, 80});
        byte[] header = v2.toByteArray();
        ByteArrayOutputStream ok = new ByteArrayOutputStream();
        ok.write(header);
        ok.write("GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Answer answer = RawHttp.exchange(f.port, ok.toByteArray(), 5000);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(upstreamHeaders(answer).getString("x-forwarded-for")).isEqualTo("198.51.100.10");

        ByteArrayOutputStream folded = new ByteArrayOutputStream();
        folded.write(header);
        folded.write("GET / HTTP/1.1\r\nHost: example.test\r\nX-A: a\r\n b\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(RawHttp.exchange(f.port, folded.toByteArray(), 5000).status()).isEqualTo(400);
    }

    @Test
    void withoutAProxyHeaderTheConnectionIsRefused() throws Exception {
        start(List.of(), true);
        RawHttp.Answer answer = RawHttp.exchange(f.port,
                "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 5000);
        assertThat(answer.status()).isZero();
        assertThat(answer.closed()).isTrue();
    }
}
