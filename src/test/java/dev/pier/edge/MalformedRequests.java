package dev.pier.edge;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The malformed HTTP/1 requests an edge proxy must refuse (issue 9): each is the whole byte
 * stream a client sends on a fresh connection. Most carry a second request, {@code GET /smuggled},
 * where a lax parser would find one; a backend that sees any request at all has been reached.
 * Used by {@code FramingTest} (Pier) and by {@code bench/hardening-bench.sh} (Pier, nginx, HAProxy).
 */
public final class MalformedRequests {
    private MalformedRequests() {
    }

    /**
     * @param expected the status Pier answers (it also closes the connection); 0: no answer, only the
     *                 close (a request line that names no HTTP version has no HTTP/1 answer)
     */
    public record Case(String name, String what, byte[] bytes, int expected) {
    }

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: example.test\r\n\r\n";

    /** A POST whose body is the smuggled request, with the given framing headers. */
    private static String post(String framing, String body) {
        return "POST /public HTTP/1.1\r\nHost: example.test\r\n" + framing + "\r\n" + body;
    }

    private static Case c(String name, String what, String raw, int expected) {
        return new Case(name, what, raw.getBytes(StandardCharsets.ISO_8859_1), expected);
    }

    public static final List<Case> ALL = List.of(
            c("cl-te", "Content-Length and Transfer-Encoding: chunked",
                    post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + SMUGGLED), 400),
            c("cl-duplicate", "two Content-Length headers",
                    post("Content-Length: 5\r\nContent-Length: 50\r\n", "hello" + SMUGGLED), 400),
            c("cl-signed", "Content-Length: +5",
                    post("Content-Length: +5\r\n", "hello" + SMUGGLED), 400),
            c("cl-list", "Content-Length: 5, 5",
                    post("Content-Length: 5, 5\r\n", "hello" + SMUGGLED), 400),
            c("te-xchunked", "Transfer-Encoding: xchunked",
                    post("Transfer-Encoding: xchunked\r\n", "5\r\nhello\r\n0\r\n\r\n" + SMUGGLED), 400),
            c("te-identity", "Transfer-Encoding: identity",
                    post("Transfer-Encoding: identity\r\n", SMUGGLED), 400),
            c("te-gzip", "Transfer-Encoding: gzip (without chunked)",
                    post("Transfer-Encoding: gzip\r\n", SMUGGLED), 400),
            c("te-vtab", "Transfer-Encoding:<VT>chunked",
                    post("Transfer-Encoding:\u000bchunked\r\n", "0\r\n\r\n" + SMUGGLED), 400),
            c("te-http10", "Transfer-Encoding in HTTP/1.0",
                    "POST /public HTTP/1.0\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400),
            c("chunk-size-bad", "chunk size that is not hex",
                    post("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"), 400),
            c("chunk-size-overflow", "chunk size beyond 64 bits",
                    post("Transfer-Encoding: chunked\r\n", "1ffffffffffffffff\r\nhello\r\n0\r\n\r\n"), 400),
            c("obs-fold", "a header line folded onto the next (obs-fold)",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nX-Folded: a\r\n b\r\n\r\n", 400),
            c("nul", "NUL in a header value",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nX-A: a\u0000b\r\n\r\n", 400),
            c("bare-cr", "bare CR in a header value",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nX-A: a\rb\r\n\r\n", 400),
            c("del", "DEL in a header value",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nX-A: a\u007fb\r\n\r\n", 400),
            c("space-before-colon", "space between header name and colon",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nContent-Length : 5\r\n\r\nhello", 400),
            c("space-in-name", "space inside a header name",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nX A: b\r\n\r\n", 400),
            c("two-hosts", "two Host headers",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nHost: admin.test\r\n\r\n", 400),
            c("no-host", "HTTP/1.1 without Host",
                    "GET /public HTTP/1.1\r\nX-A: b\r\n\r\n", 400),
            c("absolute-form-host", "absolute-form target whose authority disagrees with Host",
                    "GET http://admin.test/public HTTP/1.1\r\nHost: example.test\r\n\r\n", 400),
            c("bad-method", "a method that is not a token",
                    "G(T /public HTTP/1.1\r\nHost: example.test\r\n\r\n", 400),
            c("bad-target", "a target with a space and no leading slash",
                    "GET public x HTTP/1.1\r\nHost: example.test\r\n\r\n", 400),
            c("bad-version", "version HTTP/1.x",
                    "GET /public HTTP/1.x\r\nHost: example.test\r\n\r\n", 400),
            c("http09", "HTTP/0.9 request line (no version)",
                    "GET /public\r\n\r\n", 0),
            c("bare-lf", "lines ended by LF alone",
                    "GET /public HTTP/1.1\nHost: example.test\n\n", 400),
            c("header-64k", "one 64 KB header",
                    "GET /public HTTP/1.1\r\nHost: example.test\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n", 431));
}
