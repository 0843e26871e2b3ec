package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What crosses the proxy from one header set to the next, from Netty's headers and from any MultiMap alike. */
class HopByHopTest {
    private static final List<Map.Entry<String, String>> HEAD = List.of(
            Map.entry("Host", "example.test"),
            Map.entry("Connection", "keep-alive, X-Drop,  x-forwarded-for , Close"),
            Map.entry("connection", "upgrade,X-Also-Drop"),
            Map.entry("Keep-Alive", "timeout=5"),
            Map.entry("TE", "trailers"),
            Map.entry("Trailer", "x-sum"),
            Map.entry("Upgrade", "websocket"),
            Map.entry("Transfer-Encoding", "chunked"),
            Map.entry("Proxy-Authorization", "secret"),
            Map.entry("proxy-connection", "keep-alive"),
            Map.entry("X-Drop", "1"),
            Map.entry("x-also-drop", "2"),
            Map.entry("X-Forwarded-For", "198.18.0.9"),
            Map.entry("Accept", "a"),
            Map.entry("accept", "b"),
            Map.entry("X-Skip-Me", "s"),
            Map.entry("Proxyish", "stays"),
            Map.entry("X-Keep", "v"));

    private static final List<String> CROSSED = List.of("Host: example.test", "X-Forwarded-For: 198.18.0.9", "Accept: a",
            "accept: b", "Proxyish: stays", "X-Keep: v");

    private static List<String> lines(MultiMap headers) {
        return headers.entries().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }

    @Test
    void fromNettysHeaders() {
        DefaultHttpHeaders from = new DefaultHttpHeaders();
        HEAD.forEach(e -> from.add(e.getKey(), e.getValue()));
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        HopByHop.copy(from, to, "x-skip-me");
        assertThat(lines(to)).containsExactlyElementsOf(CROSSED);
    }

    @Test
    void fromVertxHeadersOfAnHttp1Request() {
        MultiMap from = MultiMap.caseInsensitiveMultiMap(); // the type Vert.x's HTTP/1 decoder fills: Netty's headers too
        HEAD.forEach(e -> from.add(e.getKey(), e.getValue()));
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        HopByHop.copy(from, to, "X-SKIP-ME");
        assertThat(lines(to)).containsExactlyElementsOf(CROSSED);
    }

    @Test
    void fromAnyOtherMultiMap() {
        MultiMap from = new io.vertx.core.http.impl.headers.HeadersAdaptor(new DefaultHttpHeaders()); // not Netty's HttpHeaders
        HEAD.forEach(e -> from.add(e.getKey(), e.getValue()));
        assertThat(from).isNotInstanceOf(io.netty.handler.codec.http.HttpHeaders.class);
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        HopByHop.copy(from, to, "x-skip-me");
        assertThat(lines(to)).containsExactlyElementsOf(CROSSED);
    }

    @Test
    void intoAnHttp2ResponsesHeadersNamesGoLowerCase() {
        DefaultHttpHeaders from = new DefaultHttpHeaders();
        HEAD.forEach(e -> from.add(e.getKey(), e.getValue()));
        from.add("Content-Type", "text/plain");
        io.netty.handler.codec.http2.DefaultHttp2Headers h2 = new io.netty.handler.codec.http2.DefaultHttp2Headers(false);
        HopByHop.copy(from, new io.vertx.core.http.impl.headers.HttpHeaders(h2), "x-skip-me");
        List<String> crossed = new java.util.ArrayList<>();
        h2.forEach(e -> crossed.add(e.getKey() + ": " + e.getValue()));
        assertThat(crossed).containsExactly("host: example.test", "x-forwarded-for: 198.18.0.9", "accept: a", "accept: b",
                "proxyish: stays", "x-keep: v", "content-type: text/plain");
    }

    @Test
    void aCommonNameIsTheSharedLowerCaseConstant() {
        assertThat((Object) HopByHop.lowerCaseName("Content-Type")).isSameAs(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE);
        assertThat((Object) HopByHop.lowerCaseName("ETAG")).isSameAs(io.netty.handler.codec.http.HttpHeaderNames.ETAG);
        assertThat(HopByHop.lowerCaseName("X-Custom-Thing").toString()).isEqualTo("x-custom-thing");
        assertThat(HopByHop.lowerCaseName("Content-Typo").toString()).isEqualTo("content-typo");
    }

    @Test
    void connectionNamesAreListedLowerCaseWithoutTheKeywords() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Connection", " Close ,X-A,,\tKEEP-ALIVE, x-B ");
        assertThat(HopByHop.namedByConnection(headers)).containsExactly("x-a", "x-b");
        assertThat(HopByHop.namedByConnection(MultiMap.caseInsensitiveMultiMap().add("Connection", "keep-alive"))).isNull();
    }
}
