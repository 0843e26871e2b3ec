package dev.pier.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Request body framing: whether a body follows, and how it goes on to the backend. HTTP/1 says
 * so in the head ({@code Content-Length}, {@code Transfer-Encoding}); an HTTP/2 stream without
 * {@code Content-Length} says so by ending or by giving its first chunk. Bodies are piped with
 * backpressure, never buffered whole. The state (known yet? started?) is the exchange's.
 */
final class RequestBody {
    private RequestBody() {
    }

    /** Whether the head announces a body; null for HTTP/2 without Content-Length (the stream tells later). */
    static Boolean declared(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) return !length.equals("0");
        if (request.version() != HttpVersion.HTTP_2) return request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        return request.isEnded() ? Boolean.FALSE : null;
    }

    /**
     * HTTP/2 without Content-Length: reads until the stream either ends (no body) or gives its
     * first chunk (a body: the chunk is handed over, the rest waits paused), and tells the exchange.
     */
    static void watch(HttpServerRequest request, Exchange exchange) {
        request.handler(chunk -> {
            request.pause();
            exchange.bodyDecided(true, chunk);
        });
        request.endHandler(v -> exchange.bodyDecided(false, null));
        request.resume();
    }

    /** Ends {@link #watch}; a body waits paused until {@link #send} pipes it. */
    static void stopWatching(HttpServerRequest request, boolean body) {
        request.handler(null).endHandler(null);
        if (body) request.pause(); // decided without a chunk: the pipe resumes it
    }

    /** Streams the body to the backend: {@code first} (a chunk read by {@link #watch}, or null), then the rest. */
    static void send(HttpServerRequest request, Buffer first, HttpClientRequest upstream) {
        if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null && !upstream.isChunked()) upstream.setChunked(true);
        if (first != null) upstream.write(first);
        request.pipe().endOnFailure(false).to(upstream).onFailure(err -> upstream.reset());
    }

    /** Reads and drops a body nobody will send on, so an HTTP/1 connection can carry the next request. */
    static void discard(HttpServerRequest request) {
        request.handler(buffer -> { }).endHandler(null);
        request.resume();
    }
}
