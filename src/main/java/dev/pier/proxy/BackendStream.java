package dev.pier.proxy;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * The backend side of one try: the request as it goes up, the response as it comes back. Pier's
 * own pooled connections carry it to HTTP/1.1 endpoints given by address ({@link BackendConnection});
 * Vert.x's client carries the rest: HTTP/2, TLS, endpoints given by DNS name
 * ({@link VertxBackendStream}). Everything happens on the exchange's event loop.
 */
interface BackendStream {

    /** Where the response goes, part by part. */
    interface Listener {
        /** The response head is here: {@link #status()}, {@link #copyHeaders} and the rest are valid from now on. */
        void head(BackendStream stream);

        /**
         * A part of the body. A {@link BackendConnection} hands over a pooled buffer: the listener gives it
         * back with {@link #written} once written (or dropped).
         */
        void chunk(Buffer chunk);

        /** The response ended, {@code last} its final part (null for none, same ownership as a chunk); trailers are readable now. */
        void end(Buffer last);

        /** The request could not be sent or the response broke off (connection closed or reset, malformed response). */
        void failed(Throwable cause);
    }

    /** Who gets the response's parts from now on; null drops them. */
    void listener(Listener listener);

    // ---- the request ---------------------------------------------------------------------------

    /** Sends the whole request: the head and {@code body} (none when null, else with its Content-Length). */
    void send(Buffer body);

    /** Sends the head of a request whose body follows by {@link #write} and {@link #end} (chunked unless the head has a Content-Length). */
    void sendHead();

    void write(Buffer chunk);

    /** The streamed body is complete. */
    void end();

    boolean writeQueueFull();

    void drainHandler(Handler<Void> handler);

    /** Abandons the exchange on this stream: for HTTP/1 its connection is closed, for HTTP/2 the stream is reset. */
    void reset();

    // ---- the response ----------------------------------------------------------------------------

    int status();

    /** The reason phrase as the backend sent it (HTTP/1), else null. */
    String statusMessage();

    /** Copies the end-to-end headers of the response into {@code to}: hop-by-hop ones (and those Connection names) left out. */
    void copyHeaders(MultiMap to);

    /** Whether the ended response had trailers. */
    boolean hasTrailers();

    /** Copies the response's trailers (end-to-end ones) into {@code to}. */
    void copyTrailers(MultiMap to);

    void pause();

    void resume();

    /** Reads the rest of the response and drops it (the connection stays reusable); {@code done} runs once it ended or failed. */
    void discard(Runnable done);

    /** A chunk handed to a {@link Listener} is written (or dropped): its pooled memory goes back. */
    void written(Buffer chunk);
}
