package dev.pier.proxy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.Endpoint;
import dev.pier.model.ResolverHandler.EventExtension;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The event handler of a resolver: {@code POST <mount>/<topic>/<event>} becomes a CloudEvent in
 * HTTP binary mode (CloudEvents 1.0 HTTP protocol binding: the attributes in {@code ce-} headers,
 * the request body as the event data with its {@code Content-Type}) POSTed to the sink Service.
 * The client gets 202 once the sink accepted it (a 2xx), 502 when the sink refused it or could not
 * be reached, 503 when it has no endpoint, 504 when it did not answer in time; each with a JSON body.
 * The event is never sent twice.
 */
final class EventHandler implements LocalHandler {
    /** The largest event body taken (read whole, so that the sink gets a Content-Length). */
    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;
    static final String SPEC_VERSION = "1.0";

    private final Target sink;
    private final String sinkPath;
    private final String source;
    private final List<EventExtension> extensions;
    /** The Host the sink gets: its cluster name (the TLS name for a TLS sink). */
    private final String sinkHost;

    EventHandler(Target sink, String sinkPath, String source, List<EventExtension> extensions) {
        this.sink = sink;
        this.sinkPath = sinkPath;
        this.source = source;
        this.extensions = extensions;
        this.sinkHost = sink.protocol instanceof BackendProtocol.Https https ? https.tls().serverName()
                : sink.service.name() + "." + sink.service.namespace() + ".svc";
    }

    @Override
    public boolean serve(Exchange exchange, CompiledAction.Resolve resolve, String path) {
        new Delivery(exchange, path).start();
        return true;
    }

    /** The topic and the event a path names: {@code /orders/created}; more segments join the event with dots. */
    record Named(String topic, String event) {
        static Named parse(String path) {
            String[] parts = path.split("/");
            // parts[0] is the empty string before the leading slash; a trailing slash adds nothing
            if (parts.length < 3) return null;
            for (int i = 1; i < parts.length; i++) {
                if (!isNamePart(parts[i])) return null;
            }
            return new Named(parts[1], String.join(".", java.util.Arrays.asList(parts).subList(2, parts.length)));
        }

        /** Unreserved URI characters only: what a header may carry as it is. */
        private static boolean isNamePart(String s) {
            if (s.isEmpty()) return false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~';
                if (!ok) return false;
            }
            return true;
        }
    }

    /**
     * A CloudEvents header value: printable ASCII but space, {@code "} and {@code %} as it is, the rest
     * of its UTF-8 percent-encoded (CloudEvents HTTP binding, section 3.1.3.2).
     */
    static String headerValue(String value) {
        StringBuilder out = null;
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b > 0x20 && b < 0x7f && b != '"' && b != '%';
            if (plain && out == null) continue;
            if (out == null) {
                out = new StringBuilder(bytes.length + 8);
                out.append(new String(bytes, 0, i, StandardCharsets.US_ASCII));
            }
            if (plain) out.append((char) b);
            else out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
        return out == null ? value : out.toString();
    }

    /** A random (version 4) UUID from the thread's generator: unique per event without SecureRandom's lock. */
    static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo).toString();
    }

    /** One event's delivery. */
    private final class Delivery {
        private final Exchange exchange;
        private final String path;
        private Named named;
        private Endpoint endpoint;
        private HttpClientRequest request;
        private long timer = -1;
        private boolean done;
        private String id;

        Delivery(Exchange exchange, String path) {
            this.exchange = exchange;
            this.path = path;
        }

        void start() {
            exchange.handledLocally(this::abort, (status, message) -> error(id != null && status == 504
                    ? message + "; the event (" + id + ") may or may not have been accepted" : message));
            if (exchange.request.method() != HttpMethod.POST) {
                exchange.failWith(405, error("the event handler takes POST, not " + exchange.request.method()),
                        MultiMap.caseInsensitiveMultiMap().set(HttpHeaders.ALLOW, "POST"));
                return;
            }
            named = Named.parse(path);
            if (named == null) {
                fail(404, "the path " + path + " names no topic and event: POST <pathPrefix>/<topic>/<event>, each a"
                        + " path segment of letters, digits, '-', '.', '_' or '~'");
                return;
            }
            exchange.handlerTarget(sink);
            exchange.readBody(MAX_EVENT_BYTES).onComplete(this::bodyRead);
        }

        private void bodyRead(AsyncResult<Buffer> ar) {
            if (exchange.over()) return;
            if (ar.failed()) {
                if (ar.cause() instanceof Exchange.BodyTooLarge tooLarge) {
                    fail(413, "the event body exceeds " + tooLarge.limit + " bytes");
                } else {
                    fail(400, "the request body could not be read: " + ar.cause().getMessage());
                }
                return;
            }
            HttpClientAgent client = exchange.server.clients().of(sink.protocol);
            if (client == null) {
                fail(503, "the sink Service " + sink.service + " cannot be spoken to (see the route's status)");
                return;
            }
            endpoint = sink.balancer.pick(sink.hashKey(exchange.request), null);
            if (endpoint == null) {
                fail(503, "the sink Service " + sink.service + " has no endpoint available");
                return;
            }
            id = newId();
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .set("ce-specversion", SPEC_VERSION)
                    .set("ce-id", id)
                    .set("ce-source", source)
                    .set("ce-type", named.event())
                    .set("ce-subject", named.topic())
                    .set("ce-time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
            for (EventExtension e : extensions) {
                String value = exchange.request.getHeader(e.header());
                if (value != null) headers.set("ce-" + e.attribute(), headerValue(value));
            }
            String contentType = exchange.request.getHeader(HttpHeaders.CONTENT_TYPE);
            if (contentType != null) headers.set(HttpHeaders.CONTENT_TYPE, contentType);
            int port = sink.service.port();
            RequestOptions options = new RequestOptions()
                    .setServer(exchange.server.socketAddress(endpoint))
                    .setHost(sinkHost)
                    .setPort(endpoint.port())
                    .setMethod(HttpMethod.POST)
                    .setURI(sinkPath)
                    .setHeaders(headers)
                    .setConnectTimeout(exchange.server.connectTimeoutMs());
            Buffer data = ar.result();
            long timeoutMs = exchange.handlerCallTimeoutMs();
            timer = exchange.server.vertx().setTimer(timeoutMs, t -> {
                timer = -1;
                if (done) return;
                sink.health.failed(endpoint);
                end();
                if (request != null) request.reset();
                fail(504, "the sink Service " + sink.service + " did not answer within " + timeoutMs + " ms; the event ("
                        + id + ") may or may not have been accepted");
            });
            exchange.handlerCalling(endpoint);
            client.request(options).onComplete(req -> {
                if (done) {
                    if (req.succeeded()) req.result().reset();
                    return;
                }
                if (req.failed()) {
                    sink.health.failed(endpoint);
                    end();
                    fail(502, "the sink Service " + sink.service + " (endpoint " + endpoint + ") cannot be reached: "
                            + req.cause().getMessage());
                    return;
                }
                request = req.result();
                request.authority(io.vertx.core.net.HostAndPort.create(sinkHost, port));
                request.send(data).onComplete(this::answered);
            });
        }

        private void answered(AsyncResult<HttpClientResponse> ar) {
            if (done) return;
            exchange.handlerCallEnded();
            if (ar.failed()) {
                sink.health.failed(endpoint);
                end();
                fail(502, "the sink Service " + sink.service + " broke off before answering: " + ar.cause().getMessage());
                return;
            }
            HttpClientResponse response = ar.result();
            int status = response.statusCode();
            if (status >= 500) sink.health.failed(endpoint);
            else sink.health.succeeded(endpoint);
            // Read and drop the sink's body, so its connection goes back to the pool.
            response.handler(b -> { }).exceptionHandler(e -> { });
            end();
            if (status >= 200 && status < 300) {
                JsonObject accepted = new JsonObject().put("id", id).put("source", source).put("type", named.event())
                        .put("subject", named.topic());
                exchange.answer(202, MultiMap.caseInsensitiveMultiMap().set(HttpHeaders.CONTENT_TYPE, ErrorAnswer.APPLICATION_JSON),
                        accepted.toBuffer());
            } else {
                fail(502, "the sink Service " + sink.service + " did not accept the event: it answered " + status);
            }
        }

        /** The delivery is over for the sink: timer stopped, endpoint given back. */
        private void end() {
            if (done) return;
            done = true;
            if (timer >= 0) {
                exchange.server.vertx().cancelTimer(timer);
                timer = -1;
            }
            if (endpoint != null) sink.balancer.release(endpoint);
        }

        private void abort() {
            boolean wasDone = done;
            end();
            if (!wasDone && request != null) request.reset();
        }

        private void fail(int status, String message) {
            end();
            exchange.failWith(status, error(message), null);
        }

        private Buffer error(String message) {
            JsonObject body = new JsonObject().put("message", message).put("sink", sink.service.toString());
            if (named != null) body.put("topic", named.topic()).put("event", named.event());
            if (id != null) body.put("id", id);
            return body.toBuffer();
        }
    }
}
