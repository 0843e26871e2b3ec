package dev.pier.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Request body framing: whether a body follows, and how it goes on to the backend. HTTP/1 says
 * so in the head ({@code Content-Length}, {@code Transfer-Encoding}); an HTTP/2 stream without
 * {@code Content-Length} says so by ending or by giving a chunk. A body up to the request buffer
 * is read whole before a backend is chosen; a larger one is piped with backpressure after its
 * first part; a gRPC stream is piped from its first byte (its messages may wait for the server's).
 * The state (read yet? started?) is the exchange's.
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

    /** The Content-Length the client declared, or -1 when none (chunked, or an HTTP/2 stream without one). */
    static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) return -1;
        try {
            return Long.parseLong(length);
        } catch (NumberFormatException e) {
            return -1; // the decoder refused such a head already; HTTP/2 lengths are checked by Netty
        }
    }

    /**
     * Reads the body until it ends or holds more than {@code bufferBytes}, then tells the exchange
     * (the rest waits paused); more than {@code maxBytes} (when above 0) is reported instead.
     */
    static void read(HttpServerRequest request, int bufferBytes, long maxBytes, Exchange exchange) {
        Buffer read = Buffer.buffer();
        request.handler(chunk -> {
            read.appendBuffer(chunk);
            if (maxBytes > 0 && read.length() > maxBytes) {
                stop(request);
                exchange.bodyTooLarge();
            } else if (read.length() > bufferBytes) {
                request.pause();
                stop(request);
                exchange.bodyRead(read, false);
            }
        });
        request.endHandler(v -> {
            stop(request);
            exchange.bodyRead(read, true);
        });
        request.resume();
    }

    private static void stop(HttpServerRequest request) {
        request.handler(null).endHandler(null);
    }

    /**
     * Streams the body to the backend: {@code first} (the part {@link #read} kept), then the rest,
     * with backpressure; more than {@code maxBytes} in all (when above 0) resets the try and is reported.
     */
    static void send(HttpServerRequest request, Buffer first, BackendStream upstream, long maxBytes, Exchange exchange) {
        upstream.sendHead(); // chunked unless the client declared a length
        long[] sent = {0};
        if (first != null) {
            sent[0] = first.length();
            upstream.write(first);
        }
        request.handler(chunk -> {
            sent[0] += chunk.length();
            if (maxBytes > 0 && sent[0] > maxBytes) {
                stop(request);
                exchange.bodyTooLarge();
                return;
            }
            upstream.write(chunk);
            if (upstream.writeQueueFull()) {
                request.pause();
                upstream.drainHandler(v -> request.resume());
            }
        });
        request.endHandler(v -> upstream.end());
        request.exceptionHandler(err -> upstream.reset());
        request.resume();
    }

    /** Reads and drops a body nobody will send on, so an HTTP/1 connection can carry the next request. */
    static void discard(HttpServerRequest request) {
        request.handler(buffer -> { }).endHandler(null);
        request.resume();
    }
}
