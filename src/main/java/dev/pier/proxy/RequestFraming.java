package dev.pier.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The HTTP/1 head checks Netty's decoder leaves to the application (RFC 9112): it already refuses
 * bad request lines, bare LF and CR, control characters, signed or listed Content-Length, chunked
 * with Content-Length and Transfer-Encoding in HTTP/1.0. What it lets through, and a backend could
 * read another way, is refused here: any Transfer-Encoding but exactly {@code chunked}, Content-Length
 * with any Transfer-Encoding, no or two Hosts, a Host that disagrees with an absolute-form target,
 * and more header fields than allowed.
 */
final class RequestFraming {
    private RequestFraming() {
    }

    /** @return why {@code request} must be refused, or null when its head is sound */
    static EdgeRejection check(HttpRequest request, int maxHeaderCount) {
        HttpHeaders headers = request.headers();
        if (moreFieldsThan(headers, maxHeaderCount)) return new EdgeRejection(431, "too many header fields");
        List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!encodings.isEmpty()) {
            if (request.protocolVersion() != HttpVersion.HTTP_1_1)
                return new EdgeRejection(400, "Transfer-Encoding is not allowed before HTTP/1.1");
            if (encodings.size() != 1 || !encodings.get(0).strip().equalsIgnoreCase("chunked"))
                return new EdgeRejection(400, "Transfer-Encoding other than chunked");
            if (headers.contains(HttpHeaderNames.CONTENT_LENGTH))
                return new EdgeRejection(400, "Content-Length with Transfer-Encoding");
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) return new EdgeRejection(400, "more than one Host header");
        if (hosts.isEmpty()) {
            if (request.protocolVersion() == HttpVersion.HTTP_1_1) return new EdgeRejection(400, "no Host header");
            return null;
        }
        String authority = absoluteFormAuthority(request.uri());
        if (authority != null && !authority.equalsIgnoreCase(hosts.get(0).strip()))
            return new EdgeRejection(400, "Host disagrees with the request target");
        return null;
    }

    /**
     * Whether the head has more than {@code max} fields, each field counted (a name given twice
     * counts twice). Not {@code headers.size()}: Vert.x's headers count distinct names there, in a new
     * sorted set of copied names per call.
     */
    static boolean moreFieldsThan(HttpHeaders headers, int max) {
        int n = 0;
        for (var it = headers.iteratorCharSequence(); it.hasNext(); it.next()) {
            if (++n > max) return true;
        }
        return false;
    }

    /** The authority of an absolute-form target ({@code http://host:port/path}), or null for origin-form. */
    static String absoluteFormAuthority(String uri) {
        if (uri.isEmpty() || uri.charAt(0) == '/') return null;
        int scheme = uri.indexOf("://");
        if (scheme <= 0) return null;
        int start = scheme + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) end++;
        String authority = uri.substring(start, end);
        int at = authority.lastIndexOf('@');
        return at >= 0 ? authority.substring(at + 1) : authority;
    }
}
