package dev.pier.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Pier's own error answers (404, 502, 503, 504), no filters: the status and one line of
 * {@code text/plain}, or for a gRPC call a trailers-only answer (HTTP 200, {@code grpc-status} and
 * {@code grpc-message} in the one header block), which is what a gRPC client can read.
 */
final class ErrorAnswer {
    static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");

    private ErrorAnswer() {
    }

    /**
     * The answer {@code request}'s client can read: gRPC for a gRPC call, else text.
     * @param route the matched route (its HSTS goes on HTTPS answers too), or null
     */
    static Future<Void> send(HttpServerRequest request, int status, String body, ServerHeader server, CompiledRoute route) {
        HttpServerResponse response = request.response();
        if (Grpc.isCall(request)) {
            grpcHead(response, status, body, server);
            if (route != null) route.addHsts(request, response.headers());
            return response.end();
        }
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.clear(); // whatever an abandoned answer had set
        headers.set(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        server.addIfAbsent(headers);
        if (route != null) route.addHsts(request, headers);
        return response.end(body);
    }

    /** The head of a trailers-only gRPC answer: ended with it, HTTP/2 sends one HEADERS frame with END_STREAM. */
    private static void grpcHead(HttpServerResponse response, int httpStatus, String body, ServerHeader server) {
        response.setStatusCode(200);
        MultiMap headers = response.headers();
        headers.clear();
        headers.set(HttpHeaders.CONTENT_TYPE, Grpc.CONTENT_TYPE_GRPC);
        headers.set(Grpc.GRPC_STATUS, Integer.toString(Grpc.statusFor(httpStatus)));
        headers.set(Grpc.GRPC_MESSAGE, Grpc.message(body));
        server.addIfAbsent(headers);
    }
}
