package dev.pier.proxy;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * A try carried by Vert.x's client (HTTP/2 and TLS backends, endpoints named by DNS): its request,
 * and its response once the head is in. Body buffers are Vert.x's own heap copies, so there is nothing
 * to give back.
 */
final class VertxBackendStream implements BackendStream {
    private static final String[] NONE = {};

    private final HttpClientRequest request;
    private HttpClientResponse response;
    private Listener listener;

    /** A request about to be sent: {@code listener} hears of its response. */
    VertxBackendStream(HttpClientRequest request, Listener listener) {
        this.request = request;
        this.listener = listener;
        request.response().onComplete(ar -> {
            if (ar.failed()) {
                if (this.listener != null) this.listener.failed(ar.cause());
                return;
            }
            answered(ar.result());
            if (this.listener != null) this.listener.head(this);
        });
    }

    /** A request already answered (a refused websocket upgrade): its response is read from now on. */
    VertxBackendStream(HttpClientRequest request, HttpClientResponse response) {
        this.request = request;
        answered(response);
    }

    private void answered(HttpClientResponse response) {
        this.response = response;
        response.handler(chunk -> {
            if (listener != null) listener.chunk(chunk);
        });
        response.endHandler(v -> {
            if (listener != null) listener.end(null);
        });
        response.exceptionHandler(err -> {
            if (listener != null) listener.failed(err);
        });
        response.pause(); // the body waits until someone listens for it (the relay, or a discard)
    }

    @Override
    public void listener(Listener listener) {
        this.listener = listener;
        if (listener != null && response != null) response.resume();
    }

    @Override
    public void send(Buffer body) {
        if (body == null) {
            request.end();
        } else {
            request.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
            request.end(body);
        }
    }

    @Override
    public void sendHead() {
        if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH) && !request.isChunked()) request.setChunked(true);
        request.sendHead();
    }

    @Override
    public void write(Buffer chunk) {
        request.write(chunk);
    }

    @Override
    public void end() {
        request.end();
    }

    @Override
    public boolean writeQueueFull() {
        return request.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        request.drainHandler(handler);
    }

    @Override
    public void reset() {
        request.reset();
    }

    @Override
    public int status() {
        return response.statusCode();
    }

    @Override
    public String statusMessage() {
        return response.statusMessage();
    }

    @Override
    public void copyHeaders(MultiMap to) {
        HopByHop.copy(response.headers(), to, NONE);
    }

    @Override
    public boolean hasTrailers() {
        MultiMap trailers = response.trailers();
        return trailers != null && !trailers.isEmpty();
    }

    @Override
    public void copyTrailers(MultiMap to) {
        HopByHop.copy(response.trailers(), to, NONE);
    }

    @Override
    public void pause() {
        response.pause();
    }

    @Override
    public void resume() {
        response.resume();
    }

    @Override
    public void discard(Runnable done) {
        listener = null;
        response.handler(buffer -> { });
        response.end().onComplete(x -> done.run());
        response.resume();
    }

    @Override
    public void written(Buffer chunk) {
        // a heap copy Vert.x made: nothing pooled
    }
}
