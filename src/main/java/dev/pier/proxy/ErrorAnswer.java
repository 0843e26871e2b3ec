package dev.pier.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Pier's own error answers (404, 502, 503, 504): the status and one line of {@code text/plain}, no filters. */
final class ErrorAnswer {
    static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");

    private ErrorAnswer() {
    }

    /** @param route the matched route (its HSTS goes on HTTPS answers too), or null */
    static Future<Void> send(HttpServerRequest request, int status, String body, ServerHeader server, CompiledRoute route) {
        HttpServerResponse response = request.response();
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.clear(); // whatever an abandoned answer had set
        headers.set(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        server.addIfAbsent(headers);
        if (route != null) route.addHsts(request, headers);
        return response.end(body);
    }
}
