package dev.pier.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * The backend's response on its way to the client: the head copied (status, reason phrase,
 * end-to-end headers, {@code Server} when the backend sent none), the filters' response sides in
 * reverse, then the body streamed with backpressure, then the trailers. A failed write or an error on either side
 * fails it: both streams are reset, the downstream is never ended cleanly on a truncated body.
 * One object per response instead of a pipe, its promises and a lambda per chunk.
 */
final class ResponseRelay implements Handler<Buffer> {
    private static final String[] NONE = {};

    private final Exchange exchange;
    private final UpstreamTry t;
    private final HttpClientResponse upstream;
    private final HttpServerResponse response;
    private final Handler<AsyncResult<Void>> onWritten = ar -> {
        if (ar.failed()) done(false);
    };
    private boolean done;
    private boolean upstreamEnded;

    ResponseRelay(Exchange exchange, UpstreamTry t, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.t = t;
        this.upstream = upstream;
        this.response = exchange.request.response();
    }

    void start() {
        copyHead();
        upstream.exceptionHandler(err -> done(false));
        response.exceptionHandler(err -> done(false));
        upstream.endHandler(v -> {
            upstreamEnded = true;
            copyTrailers();
            response.end().onComplete(ar -> done(ar.succeeded()));
        });
        upstream.handler(this);
    }

    private void copyHead() {
        int status = upstream.statusCode();
        exchange.responseStarted(status);
        response.setStatusCode(status);
        String message = upstream.statusMessage();
        // The standard reason phrase is what the server writes anyway, from a cached status object.
        if (message != null && !message.isEmpty() && !message.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
            response.setStatusMessage(message);
        }
        MultiMap headers = response.headers();
        HopByHop.copy(upstream.headers(), headers, NONE);
        exchange.server.serverHeader().addIfAbsent(headers);
        exchange.route.addHsts(exchange.request, headers);
        exchange.filterResponse(headers, exchange.route.filters.length);
        HttpServerRequest request = exchange.request;
        if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && request.version() == HttpVersion.HTTP_1_1
                && request.method() != HttpMethod.HEAD && status != 204 && status != 304) {
            response.setChunked(true);
        }
    }

    /**
     * The backend's trailers (gRPC's {@code grpc-status} and {@code grpc-message}) go on, hop-by-hop
     * ones left out. HTTP/2 always carries them; HTTP/1.1 only in a chunked body, else Vert.x drops them.
     */
    private void copyTrailers() {
        MultiMap trailers = upstream.trailers();
        if (trailers != null && !trailers.isEmpty()) HopByHop.copy(trailers, response.trailers(), NONE);
    }

    @Override
    public void handle(Buffer chunk) {
        response.write(chunk).onComplete(onWritten);
        if (response.writeQueueFull()) {
            upstream.pause();
            response.drainHandler(v -> upstream.resume());
        }
    }

    private void done(boolean ok) {
        if (done) return;
        done = true;
        upstream.handler(null).exceptionHandler(null).endHandler(null);
        response.drainHandler(null).exceptionHandler(null);
        if (!ok) {
            response.reset();
            // A backend response read to its end leaves a reusable connection; reset would close it.
            if (!upstreamEnded && t.request() != null) t.request().reset();
        }
        exchange.relayed(t);
    }
}
