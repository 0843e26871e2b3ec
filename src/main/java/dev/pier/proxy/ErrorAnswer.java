package dev.pier.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/** Pier's own error answers (4xx, 5xx): the status and one line of {@code text/plain}, no filters. */
final class ErrorAnswer {
    static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");
    /** Seconds a shed or refused client is asked to wait before it tries again. */
    private static final CharSequence RETRY_AFTER_SECONDS = HttpHeaders.createOptimized("1");

    private ErrorAnswer() {
    }

    /** @param route the matched route (its HSTS goes on HTTPS answers too), or null */
    static Future<Void> send(HttpServerRequest request, int status, String body, ServerHeader server, CompiledRoute route) {
        HttpServerResponse response = request.response();
        head(response, status, server);
        if (route != null) route.addHsts(request, response.headers());
        return response.end(body);
    }

    private static void head(HttpServerResponse response, int status, ServerHeader server) {
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.clear(); // whatever an abandoned answer had set
        headers.set(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        server.addIfAbsent(headers);
        if (status == 503) headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }

    /**
     * Answers and ends the connection: an HTTP/1 connection is closed after the answer (a request
     * refused at the edge may have left bytes nobody can frame), an HTTP/2 stream just ends.
     */
    static Future<Void> refuse(HttpServerRequest request, int status, String body, ServerHeader server) {
        HttpServerResponse response = request.response();
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        head(response, status, server);
        if (http1) response.headers().set(HttpHeaders.CONNECTION, CLOSE);
        return response.end(body).onComplete(ar -> {
            if (http1) request.connection().close();
        });
    }
}
