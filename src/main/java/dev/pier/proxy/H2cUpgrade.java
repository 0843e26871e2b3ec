package dev.pier.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 request that asks to switch to h2c ({@code Upgrade: h2c}, RFC 7540 section 3.2; RFC 9113
 * section 3.1 deprecates it but clients still send it), read for {@link H2Front}: the client's settings
 * from {@code HTTP2-Settings} and the request as the HTTP/2 headers of stream 1.
 */
final class H2cUpgrade {
    /** Vert.x's handler that would otherwise answer the upgrade: present on a cleartext connection's first request only. */
    static final String VERTX_HANDLER = "h2c";
    private static final AsciiString H2C = AsciiString.cached("h2c");
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

    final Http2Settings settings;
    final Http2Headers headers;

    private H2cUpgrade(Http2Settings settings, Http2Headers headers) {
        this.settings = settings;
        this.headers = headers;
    }

    /** Whether the request asks for h2c the way Vert.x's server would switch for (the whole Upgrade value). */
    static boolean asked(HttpRequest request) {
        return request.headers().contains(HttpHeaderNames.UPGRADE, H2C, true);
    }

    /**
     * The upgrade {@code request} asks for, or null when Pier ignores it and answers over HTTP/1.1
     * (RFC 9110 section 7.8 allows that): an HTTP/1.0 request, a request with a body (RFC 7540 would have
     * the body read whole before the switch) or a target not in origin form.
     *
     * @throws EdgeRejection (400) when it asks wrongly: {@code Connection} not naming both {@code Upgrade} and
     *     {@code HTTP2-Settings}, not exactly one {@code HTTP2-Settings}, or one that is not base64url of whole settings
     */
    static H2cUpgrade read(HttpRequest request) {
        if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())) return null; // RFC 9110 section 7.8: HTTP/1.1's alone
        HttpHeaders h = request.headers();
        if (!h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)
                || !h.containsValue(HttpHeaderNames.CONNECTION, HTTP2_SETTINGS, true)) {
            throw new EdgeRejection(400, "h2c upgrade without \"Connection: Upgrade, HTTP2-Settings\"");
        }
        List<String> values = h.getAll(HTTP2_SETTINGS);
        if (values.size() != 1) throw new EdgeRejection(400, "h2c upgrade needs exactly one HTTP2-Settings header");
        Http2Settings settings = settings(values.get(0));
        if (settings == null) throw new EdgeRejection(400, "h2c upgrade with a malformed HTTP2-Settings header");
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING) || HttpUtil.getContentLength(request, 0L) != 0L) return null;
        String uri = request.uri();
        if (uri.isEmpty() || uri.charAt(0) != '/') return null;
        return new H2cUpgrade(settings, headers(request));
    }

    /** The settings a HTTP2-Settings value carries (base64url of a SETTINGS payload), or null when it is malformed. */
    static Http2Settings settings(String value) {
        byte[] payload;
        try {
            payload = Base64.getUrlDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (payload.length % 6 != 0) return null;
        Http2Settings settings = new Http2Settings();
        for (int i = 0; i < payload.length; i += 6) {
            char id = (char) (((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff));
            long v = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xffL) << 16) | ((payload[i + 4] & 0xffL) << 8)
                    | (payload[i + 5] & 0xffL);
            try {
                settings.put(id, Long.valueOf(v)); // range-checks the six known settings; unknown ones are kept and unused
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return settings;
    }

    /** The request's head as stream 1's headers: pseudo-headers, then its fields less the connection's own. */
    private static Http2Headers headers(HttpRequest request) {
        HttpHeaders h = request.headers();
        Http2Headers out = new DefaultHttp2Headers(false, h.size() + 4);
        out.method(request.method().name()).scheme("http").path(request.uri());
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) out.authority(host);
        for (Map.Entry<String, String> field : h) {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            if (!connectionSpecific(name, field.getValue(), h)) out.add(name, field.getValue());
        }
        return out;
    }

    /** What RFC 9113 section 8.2.2 keeps out of HTTP/2 (TE but "trailers"), and what Connection names. */
    private static boolean connectionSpecific(String name, String value, HttpHeaders h) {
        return switch (name) {
            case "host", "connection", "upgrade", "http2-settings", "keep-alive", "proxy-connection", "transfer-encoding" -> true;
            case "te" -> !"trailers".equalsIgnoreCase(value.trim());
            default -> h.containsValue(HttpHeaderNames.CONNECTION, name, true);
        };
    }
}
