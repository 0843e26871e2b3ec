package dev.pier.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Pier's own error answers (4xx, 5xx), no filters: the status and one line of {@code text/plain},
 * or for a gRPC call a trailers-only answer (HTTP 200, {@code grpc-status} and {@code grpc-message}
 * in the one header block), which is what a gRPC client can read.
 */
final class ErrorAnswer {
    static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");
    /** Seconds a shed or refused client is asked to wait before it tries again. */
    private static final CharSequence RETRY_AFTER_SECONDS = HttpHeaders.createOptimized("1");

    private ErrorAnswer() {
    }

    /**
     * The answer {@code request}'s client can read: gRPC for a gRPC call, else text.
     * @param route the matched route (its HSTS goes on HTTPS answers too), or null
     */
    static Future<Void> send(HttpServerRequest request, int status, String body, ServerHeader server, CompiledRoute route) {
        HttpServerResponse response = request.response();
        boolean grpc = Grpc.isCall(request);
        head(response, status, body, server, grpc);
        if (route != null) route.addHsts(request, response.headers());
        return grpc ? response.end() : response.end(body);
    }

    private static void head(HttpServerResponse response, int status, String body, ServerHeader server, boolean grpc) {
        if (grpc) {
            grpcHead(response, status, body, server);
            return;
        }
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.clear(); // whatever an abandoned answer had set
        headers.set(HttpHeaders.CONTENT_TYPE, TEXT_PLAIN);
        server.addIfAbsent(headers);
        if (status == 503) headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }

    /**
     * Answers and ends the connection: an HTTP/1 connection is closed after the answer (a request
     * refused at the edge may have left bytes nobody can frame), an HTTP/2 stream just ends. A gRPC
     * call gets its gRPC status, as from {@link #send}.
     */
    static Future<Void> refuse(HttpServerRequest request, int status, String body, ServerHeader server) {
        HttpServerResponse response = request.response();
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        boolean grpc = Grpc.isCall(request);
        head(response, status, body, server, grpc);
        if (http1) response.headers().set(HttpHeaders.CONNECTION, CLOSE);
        return (grpc ? response.end() : response.end(body)).onComplete(ar -> {
            if (http1) request.connection().close();
        });
    }

    /** A handler's JSON error answer ({@link Exchange#failWith}). */
    static Future<Void> sendJson(HttpServerRequest request, int status, io.vertx.core.buffer.Buffer json, MultiMap extra,
                                 ServerHeader server, CompiledRoute route) {
        HttpServerResponse response = request.response();
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.clear(); // whatever an abandoned answer had set
        if (extra != null) headers.addAll(extra);
        headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
        server.addIfAbsent(headers);
        if (route != null) route.addHsts(request, headers);
        return response.end(json);
    }

    static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

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
