package dev.pier.proxy;

import dev.pier.model.Endpoint;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One gRPC call Pier makes itself, on the event loop, over this loop's HTTP/2 cleartext client (the
 * pool ordinary h2c forwarding uses): it sends its messages and half-closes, then reads every
 * response message and the status. Used for unary calls (the rpc handler) and for server
 * reflection, whose bidirectional stream is used as requests-then-answers. Every outcome is a
 * {@link Reply}, delivered once: a connect failure, a broken stream, a response over the size
 * bound or the timeout become gRPC statuses too, so a caller never waits on anything else.
 */
final class GrpcClientCall {
    private static final CharSequence TE = HttpHeaders.createOptimized("te");
    private static final CharSequence TRAILERS = HttpHeaders.createOptimized("trailers");

    /**
     * How a call ended.
     *
     * @param code      the gRPC status code (0: OK)
     * @param message   the status message (decoded {@code grpc-message}, or Pier's words when Pier ended it)
     * @param messages  the response messages, in order
     * @param reachedEndpoint false when no stream to the endpoint could be opened or it broke without an answer (outlier detection counts it)
     */
    record Reply(int code, String message, List<byte[]> messages, boolean reachedEndpoint) {
        static Reply failed(int code, String message, boolean reachedEndpoint) {
            return new Reply(code, message, List.of(), reachedEndpoint);
        }
    }

    private final ProxyServer server;
    private final int maxResponseBytes;
    private final Handler<Reply> done;
    private HttpClientRequest request;
    private long timer = -1;
    private boolean finished;
    /** The response ended (its trailers, or a trailers-only answer): nothing to reset. */
    private boolean streamOver;
    private long received;
    private final GrpcFrames.Reader reader = new GrpcFrames.Reader();

    private GrpcClientCall(ProxyServer server, int maxResponseBytes, Handler<Reply> done) {
        this.server = server;
        this.maxResponseBytes = maxResponseBytes;
        this.done = done;
    }

    /**
     * Starts a call of {@code path} ({@code /pkg.Service/Method}) on {@code endpoint}.
     *
     * @param metadata  request headers for the call (may be empty); content-type, te and grpc-timeout are set here
     * @param body      the request messages, framed ({@link GrpcFrames})
     * @param timeoutMs the call's deadline, sent as {@code grpc-timeout} and enforced here; must be positive
     */
    static GrpcClientCall start(ProxyServer server, HttpClientAgent client, Endpoint endpoint, String path,
                                MultiMap metadata, Buffer body, long timeoutMs, int maxResponseBytes, Handler<Reply> done) {
        GrpcClientCall call = new GrpcClientCall(server, maxResponseBytes, done);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(metadata);
        headers.set(HttpHeaders.CONTENT_TYPE, Grpc.CONTENT_TYPE_GRPC);
        headers.set(TE, TRAILERS);
        headers.set(Grpc.GRPC_TIMEOUT, Grpc.timeoutValue(timeoutMs));
        RequestOptions options = new RequestOptions()
                .setServer(server.socketAddress(endpoint))
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setMethod(HttpMethod.POST)
                .setURI(path)
                .setHeaders(headers)
                .setConnectTimeout(server.connectTimeoutMs());
        call.timer = server.vertx().setTimer(timeoutMs, id -> {
            call.timer = -1;
            call.end(Reply.failed(Grpc.DEADLINE_EXCEEDED, "no answer within " + timeoutMs + " ms", true));
        });
        client.request(options).onComplete(ar -> call.connected(ar, body));
        return call;
    }

    private void connected(AsyncResult<HttpClientRequest> ar, Buffer body) {
        if (ar.failed()) {
            end(Reply.failed(Grpc.UNAVAILABLE, "cannot reach the endpoint: " + ar.cause().getMessage(), false));
            return;
        }
        request = ar.result();
        if (finished) {
            request.reset();
            return;
        }
        request.response().onComplete(this::responded);
        request.end(body);
    }

    private void responded(AsyncResult<HttpClientResponse> ar) {
        if (finished) return;
        if (ar.failed()) {
            end(Reply.failed(Grpc.UNAVAILABLE, "the stream broke before an answer: " + ar.cause().getMessage(), false));
            return;
        }
        HttpClientResponse response = ar.result();
        if (response.statusCode() != 200) {
            // gRPC's mapping of an HTTP status that is not a gRPC answer (e.g. a proxy's 503).
            end(Reply.failed(Grpc.statusFor(response.statusCode()), "the endpoint answered HTTP " + response.statusCode()
                    + " instead of gRPC", true));
            return;
        }
        String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            end(Reply.failed(Grpc.UNKNOWN, "the endpoint answered content-type " + type + ", not gRPC", true));
            return;
        }
        String trailersOnly = response.getHeader(Grpc.GRPC_STATUS);
        if (trailersOnly != null) {
            streamOver = true; // sent with END_STREAM; anything else it sends is read and dropped
            response.handler(chunk -> { });
            end(status(trailersOnly, response.getHeader(Grpc.GRPC_MESSAGE), List.of()));
            return;
        }
        response.handler(chunk -> {
            if (finished) return;
            received += chunk.length();
            if (received > maxResponseBytes) {
                end(Reply.failed(Grpc.RESOURCE_EXHAUSTED, "the answer exceeds " + maxResponseBytes + " bytes", true));
                return;
            }
            try {
                reader.add(chunk);
            } catch (GrpcFrames.Malformed e) {
                end(Reply.failed(Grpc.INTERNAL, "malformed answer: " + e.getMessage(), true));
            }
        });
        response.exceptionHandler(err -> end(Reply.failed(Grpc.UNAVAILABLE, "the stream broke: " + err.getMessage(), true)));
        response.endHandler(v -> {
            if (finished) return;
            List<byte[]> messages;
            try {
                messages = reader.finish();
            } catch (GrpcFrames.Malformed e) {
                end(Reply.failed(Grpc.INTERNAL, "malformed answer: " + e.getMessage(), true));
                return;
            }
            streamOver = true;
            MultiMap trailers = response.trailers();
            end(status(trailers.get(Grpc.GRPC_STATUS), trailers.get(Grpc.GRPC_MESSAGE), messages));
        });
    }

    private static Reply status(String code, String message, List<byte[]> messages) {
        if (code == null) return Reply.failed(Grpc.INTERNAL, "the answer has no grpc-status", true);
        int value;
        try {
            value = Integer.parseInt(code.trim());
        } catch (NumberFormatException e) {
            return Reply.failed(Grpc.UNKNOWN, "the answer has grpc-status \"" + code + "\"", true);
        }
        return new Reply(value, message == null ? "" : decodeMessage(message), messages, true);
    }

    /** Ends the call now without a reply (the exchange went away): the stream is reset. */
    void abort() {
        if (finished) return;
        finished = true;
        cancelTimer();
        if (request != null) request.reset();
    }

    private void end(Reply reply) {
        if (finished) return;
        finished = true;
        cancelTimer();
        // A stream Pier stops reading before its end (timeout, too large, malformed) is reset; the connection stays.
        if (request != null && !streamOver) request.reset();
        done.handle(reply);
    }

    private void cancelTimer() {
        if (timer >= 0) {
            server.vertx().cancelTimer(timer);
            timer = -1;
        }
    }

    /** {@code grpc-message} is percent-encoded UTF-8; a malformed escape is kept as written. */
    static String decodeMessage(String value) {
        if (value.indexOf('%') < 0) return value;
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
