package dev.pier.proxy;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.pier.model.BackendProtocol;
import dev.pier.model.Endpoint;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One JSON request turned into a unary gRPC call and back, on its event loop: checks the request
 * (POST, {@code application/json}, the body's size), finds the Service (only those the resolver
 * exposes), picks an endpoint, gets its descriptors ({@link ReflectionCache}), finds the method,
 * turns the JSON into the request message (proto3 JSON mapping), calls it ({@link GrpcClientCall})
 * and answers the response message as JSON, or the gRPC status as grpc-gateway maps it to HTTP with
 * a JSON body {@code {"code", "message", "details"}}. Every wait is bounded: the reflection fetch,
 * the call's deadline, the route's timeouts.
 */
final class RpcCall {
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    /** Client headers that are HTTP's business, or gRPC's own, and never become call metadata. */
    private static final java.util.Set<String> NOT_METADATA = java.util.Set.of("content-type", "content-length", "te",
            "transfer-encoding", "accept-encoding", "content-encoding", "expect", "host", "upgrade", "connection",
            "keep-alive", "proxy-connection", "user-agent");

    private final Exchange exchange;
    private final CompiledAction.Resolve resolve;
    /** The path after the mount, or null for the /rpc endpoint (the body names the method). */
    private final String path;
    /** What the request names, once known. */
    private String serviceName;
    private String grpcService;
    private String method;
    private Target target;
    private Endpoint endpoint;
    private ServiceCatalog catalog;
    private Buffer json;
    private boolean refreshed;
    private boolean released;
    private GrpcClientCall call;

    RpcCall(Exchange exchange, CompiledAction.Resolve resolve, String path) {
        this.exchange = exchange;
        this.resolve = resolve;
        this.path = path;
    }

    void start() {
        exchange.handledLocally(this::abort, (status, message) -> error(Grpc.statusFor(status), message));
        var request = exchange.request;
        if (request.method() != HttpMethod.POST) {
            exchange.failWith(405, error(GrpcStatus.INVALID_ARGUMENT, "the rpc handler takes POST, not " + request.method()),
                    MultiMap.caseInsensitiveMultiMap().set(HttpHeaders.ALLOW, "POST"));
            return;
        }
        if (!isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            fail(415, GrpcStatus.INVALID_ARGUMENT, "the rpc handler takes Content-Type application/json, not "
                    + request.getHeader(HttpHeaders.CONTENT_TYPE));
            return;
        }
        if (path != null) {
            RpcPath.Call named = RpcPath.parse(path, resolve.versioned());
            if (named == null) {
                fail(404, GrpcStatus.NOT_FOUND, "the path " + path + " names no Service and method (Micro's paths:"
                        + " /<service>/<method>, /<service>/<Service>/<method>, ...)");
                return;
            }
            serviceName = resolve.servicePrefix() + named.service();
            grpcService = named.grpcService();
            method = named.method();
            if (!findTarget()) return;
        }
        exchange.readBody(RpcHandler.MAX_REQUEST_BYTES).onComplete(this::bodyRead);
    }

    private void bodyRead(AsyncResult<Buffer> ar) {
        if (exchange.over()) return;
        if (ar.failed()) {
            if (ar.cause() instanceof Exchange.BodyTooLarge tooLarge) {
                fail(413, Grpc.RESOURCE_EXHAUSTED, "the request body exceeds " + tooLarge.limit + " bytes");
            } else {
                fail(400, GrpcStatus.INVALID_ARGUMENT, "the request body could not be read: " + ar.cause().getMessage());
            }
            return;
        }
        json = ar.result();
        if (path == null && !readEnvelope()) return;
        endpoint = target.balancer.pick(target.hashKey(exchange.request), null);
        if (endpoint == null) {
            fail(503, Grpc.UNAVAILABLE, "Service " + target.service + " has no endpoint available");
            return;
        }
        lookUp();
    }

    /** The /rpc endpoint's body: {"service": <Service name>, "endpoint": "Greeter.SayHello", "request": {...}}. */
    private boolean readEnvelope() {
        JsonObject envelope;
        try {
            envelope = json.length() == 0 ? new JsonObject() : new JsonObject(json);
        } catch (DecodeException | ClassCastException e) {
            fail(400, GrpcStatus.INVALID_ARGUMENT, "the /rpc body is not a JSON object: " + e.getMessage());
            return false;
        }
        Object service = envelope.getValue("service");
        Object named = envelope.getValue("endpoint");
        Object request = envelope.getValue("request");
        if (!(service instanceof String s) || s.isEmpty() || !(named instanceof String e) || e.isEmpty()) {
            fail(400, GrpcStatus.INVALID_ARGUMENT, "the /rpc body names \"service\" (a Service) and \"endpoint\""
                    + " (Service.Method, e.g. Greeter.SayHello) as strings");
            return false;
        }
        if (request != null && !(request instanceof JsonObject)) {
            fail(400, GrpcStatus.INVALID_ARGUMENT, "\"request\" in the /rpc body is the request message, a JSON object");
            return false;
        }
        int dot = e.lastIndexOf('.');
        if (dot <= 0 || dot == e.length() - 1) {
            fail(400, GrpcStatus.INVALID_ARGUMENT, "\"endpoint\" is Service.Method (e.g. Greeter.SayHello, or with its"
                    + " package, helloworld.Greeter.SayHello), not \"" + e + "\"");
            return false;
        }
        serviceName = s;
        grpcService = e.substring(0, dot);
        method = e.substring(dot + 1);
        json = request == null ? Buffer.buffer("{}") : ((JsonObject) request).toBuffer();
        return findTarget();
    }

    /** The Service must be one the resolver exposes (nothing else is ever called), spoken to as gRPC. */
    private boolean findTarget() {
        target = resolve.targets().get(serviceName);
        if (target == null) {
            fail(404, GrpcStatus.NOT_FOUND, "no Service \"" + serviceName + "\" is exposed by this route");
            return false;
        }
        exchange.handlerTarget(target);
        if (!(target.protocol instanceof BackendProtocol.H2c)) {
            fail(501, Grpc.UNIMPLEMENTED, "Service " + target.service + " is not spoken to as gRPC: its port needs appProtocol"
                    + " kubernetes.io/h2c (HTTP/2 in cleartext) for the rpc handler");
            return false;
        }
        return true;
    }

    private void lookUp() {
        exchange.server.reflection().catalog(exchange.server, target.service, endpoint).onComplete(ar -> {
            if (exchange.over()) {
                release();
                return;
            }
            if (ar.failed()) {
                catalogFailed(ar.cause());
                return;
            }
            catalog = ar.result();
            ServiceCatalog.Lookup found = catalog.find(grpcService, method);
            if (!(found instanceof ServiceCatalog.Lookup.Found) && !(found instanceof ServiceCatalog.Lookup.Ambiguous)
                    && !refreshed && ReflectionCache.mayRefreshAfterMiss(catalog)) {
                // A newer version of the server may have it: fetch once more (at most once per refresh interval).
                refreshed = true;
                exchange.server.reflection().refresh(target.service, endpoint, catalog);
                lookUp();
                return;
            }
            if (found instanceof ServiceCatalog.Lookup.Found f) {
                call(f.method());
            } else if (found instanceof ServiceCatalog.Lookup.NoService n) {
                fail(404, GrpcStatus.NOT_FOUND, "Service " + target.service + " has no gRPC service " + grpcService
                        + " (it has " + (n.known().isEmpty() ? "none" : String.join(", ", n.known())) + ")");
            } else if (found instanceof ServiceCatalog.Lookup.NoMethod n) {
                fail(404, GrpcStatus.NOT_FOUND, "gRPC service " + n.service() + " of Service " + target.service
                        + " has no method " + method + " (it has " + String.join(", ", n.known()) + ")");
            } else if (found instanceof ServiceCatalog.Lookup.Ambiguous a) {
                fail(501, Grpc.UNIMPLEMENTED, "Service " + target.service + " has several gRPC services named " + grpcService
                        + " (" + String.join(", ", a.services()) + "); call one by its full name through the /rpc endpoint");
            }
        });
    }

    private void catalogFailed(Throwable cause) {
        if (!(cause instanceof ServerReflection.Failure f)) {
            fail(502, Grpc.INTERNAL, "server reflection of Service " + target.service + " failed: " + cause);
            return;
        }
        switch (f.kind) {
            case NO_REFLECTION -> fail(501, Grpc.UNIMPLEMENTED, "Service " + target.service + " (endpoint " + endpoint
                    + ") answers no server reflection (grpc.reflection.v1 or v1alpha), which the rpc handler needs to find "
                    + grpcService + "." + method);
            case UNREACHABLE -> {
                target.health.failed(endpoint);
                fail(503, Grpc.UNAVAILABLE, "Service " + target.service + " (endpoint " + endpoint + ") cannot be reached: "
                        + f.getMessage());
            }
            case TIMEOUT -> fail(504, Grpc.DEADLINE_EXCEEDED, "server reflection of Service " + target.service
                    + " did not answer in time");
            case MALFORMED -> fail(502, Grpc.INTERNAL, "server reflection of Service " + target.service + ": " + f.getMessage());
        }
    }

    private void call(MethodDescriptor m) {
        if (m.isClientStreaming() || m.isServerStreaming()) {
            String shape = m.isClientStreaming() && m.isServerStreaming() ? "bidirectional streaming"
                    : m.isClientStreaming() ? "client streaming" : "server streaming";
            fail(501, Grpc.UNIMPLEMENTED, m.getFullName() + " is a " + shape + " method; the rpc handler calls unary"
                    + " methods only (call streaming methods with a gRPC client through a grpc match)");
            return;
        }
        DynamicMessage message;
        try {
            DynamicMessage.Builder builder = DynamicMessage.newBuilder(m.getInputType());
            if (json.length() > 0) catalog.parser.merge(json.toString(StandardCharsets.UTF_8), builder);
            message = builder.build();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // JsonFormat reports type mismatches as InvalidProtocolBufferException, some malformed JSON as runtime exceptions
            fail(400, GrpcStatus.INVALID_ARGUMENT, "the body is not a " + m.getInputType().getFullName() + " in JSON: "
                    + e.getMessage());
            return;
        }
        String grpcPath = "/" + m.getService().getFullName() + "/" + m.getName();
        exchange.handlerCalling(endpoint);
        call = GrpcClientCall.start(exchange.server, exchange.server.clients().h2c(), endpoint, grpcPath, metadata(),
                GrpcFrames.frame(message.toByteArray()), exchange.handlerCallTimeoutMs(), RpcHandler.MAX_RESPONSE_BYTES,
                reply -> replied(m, reply));
    }

    private void replied(MethodDescriptor m, GrpcClientCall.Reply reply) {
        call = null;
        exchange.handlerCallEnded();
        if (reply.reachedEndpoint()) target.health.succeeded(endpoint);
        else target.health.failed(endpoint);
        release();
        if (exchange.over()) return;
        if (reply.code() != GrpcStatus.OK) {
            if (reply.code() == Grpc.UNIMPLEMENTED && reply.reachedEndpoint()) {
                exchange.server.reflection().refresh(target.service, endpoint, catalog); // the descriptors said it exists
            }
            String message = reply.message().isEmpty() ? GrpcStatus.name(reply.code()) : reply.message();
            exchange.failWith(GrpcStatus.httpStatus(reply.code()), error(reply.code(), message), null);
            return;
        }
        if (reply.messages().size() != 1) {
            fail(502, Grpc.INTERNAL, m.getFullName() + " answered " + reply.messages().size() + " messages to a unary call");
            return;
        }
        String body;
        try {
            body = catalog.printer.print(DynamicMessage.parseFrom(m.getOutputType(), reply.messages().get(0)));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            fail(502, Grpc.INTERNAL, m.getFullName() + " answered a message that is not a " + m.getOutputType().getFullName()
                    + ": " + e.getMessage());
            return;
        }
        exchange.answer(200, MultiMap.caseInsensitiveMultiMap().set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON),
                Buffer.buffer(body));
    }

    /**
     * The call's metadata: the headers the backend would get when forwarding (hop-by-hop ones left
     * out, X-Forwarded-* set, the route's header filters applied), less HTTP's and gRPC's own, and
     * only names gRPC allows.
     */
    private MultiMap metadata() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> h : exchange.upstream().headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (NOT_METADATA.contains(name) || name.startsWith("grpc-") || !isMetadataKey(name)) continue;
            out.add(name, h.getValue());
        }
        return out;
    }

    /** gRPC metadata keys: lower-case letters, digits, '-', '_' and '.'. */
    private static boolean isMetadataKey(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return false;
        }
        return true;
    }

    /** {@code application/json}, parameters (a charset) allowed. */
    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return type.equalsIgnoreCase("application/json");
    }

    private void fail(int httpStatus, int code, String message) {
        release();
        exchange.failWith(httpStatus, error(code, message), null);
    }

    /** The JSON error body, grpc-gateway's shape, with what was looked up. */
    private Buffer error(int code, String message) {
        JsonObject body = new JsonObject().put("code", code).put("message", message).put("details", new JsonArray());
        if (serviceName != null) body.put("service", serviceName);
        if (grpcService != null) body.put("method", grpcService + "." + method);
        return body.toBuffer();
    }

    /** Gives the picked endpoint back to its balancer, once. */
    private void release() {
        if (endpoint != null && !released) {
            released = true;
            target.balancer.release(endpoint);
        }
    }

    /** The exchange ended early (timeout, client gone): the call's stream is reset, the endpoint given back. */
    private void abort() {
        GrpcClientCall c = call;
        call = null;
        if (c != null) c.abort();
        release();
    }
}
