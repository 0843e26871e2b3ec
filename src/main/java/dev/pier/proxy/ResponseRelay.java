package dev.pier.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
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
 * One object per response instead of a pipe, its promises and a lambda per chunk. A response that
 * arrives whole in one read (the usual small one) goes downstream as one write, head and body together.
 */
final class ResponseRelay implements BackendStream.Listener {
    private final Exchange exchange;
    private final UpstreamTry t;
    private final BackendStream upstream;
    private final HttpServerResponse response;
    private boolean done;
    private boolean upstreamEnded;

    ResponseRelay(Exchange exchange, UpstreamTry t, BackendStream upstream) {
        this.exchange = exchange;
        this.t = t;
        this.upstream = upstream;
        this.response = exchange.request.response();
    }

    void start() {
        copyHead();
        response.exceptionHandler(err -> done(false));
        upstream.listener(this);
    }

    private void copyHead() {
        int status = upstream.status();
        exchange.responseStarted(status);
        // 200 is the response's default: no status lookup for the common case (a JFR hot spot).
        if (status != 200) response.setStatusCode(status);
        String message = upstream.statusMessage();
        // The standard reason phrase is what the server writes anyway, from a cached status object.
        if (message != null && !message.isEmpty()
                && !message.equals(status == 200 ? "OK" : HttpResponseStatus.valueOf(status).reasonPhrase())) {
            response.setStatusMessage(message);
        }
        MultiMap headers = response.headers();
        upstream.copyHeaders(headers);
        exchange.server.serverHeader().addIfAbsent(headers);
        exchange.route.addHsts(exchange.request, headers);
        exchange.filterResponse(headers, exchange.route.filters.length);
        HttpServerRequest request = exchange.request;
        if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && request.version() == HttpVersion.HTTP_1_1
                && request.method() != HttpMethod.HEAD && status != 204 && status != 304) {
            response.setChunked(true);
        }
    }

    @Override
    public void head(BackendStream stream) {
        // the head came before this relay started
    }

    @Override
    public void chunk(Buffer chunk) {
        if (done) {
            upstream.written(chunk);
            return;
        }
        Future<Void> written;
        try {
            written = response.write(chunk);
        } catch (IllegalStateException closed) {
            upstream.written(chunk);
            done(false);
            return;
        }
        written.onComplete(ar -> {
            upstream.written(chunk);
            if (ar.failed()) done(false);
        });
        if (response.writeQueueFull()) {
            upstream.pause();
            response.drainHandler(v -> upstream.resume());
        }
    }

    /**
     * The backend's trailers (gRPC's {@code grpc-status} and {@code grpc-message}) go on, hop-by-hop
     * ones left out. HTTP/2 always carries them; HTTP/1.1 only in a chunked body, else Vert.x drops them.
     */
    @Override
    public void end(Buffer last) {
        upstreamEnded = true;
        if (done) {
            if (last != null) upstream.written(last);
            return;
        }
        if (upstream.hasTrailers()) upstream.copyTrailers(response.trailers());
        Future<Void> ended;
        try {
            ended = last == null ? response.end() : response.end(last);
        } catch (IllegalStateException closed) {
            if (last != null) upstream.written(last);
            done(false);
            return;
        }
        ended.onComplete(ar -> {
            if (last != null) upstream.written(last);
            done(ar.succeeded());
        });
    }

    @Override
    public void failed(Throwable cause) {
        done(false);
    }

    private void done(boolean ok) {
        if (done) return;
        done = true;
        upstream.listener(null);
        response.drainHandler(null).exceptionHandler(null);
        if (!ok) {
            response.reset();
            // A backend response read to its end leaves a reusable connection; reset would close it.
            if (!upstreamEnded) upstream.reset();
        }
        exchange.relayed(t);
    }
}
