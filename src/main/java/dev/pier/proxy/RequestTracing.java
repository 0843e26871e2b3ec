package dev.pier.proxy;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * A span per request (kind SERVER): its parent read from the client's W3C {@code traceparent}
 * (and whatever else the configured propagators read), its context written into the backend's
 * request, so the backend's spans are its children. Attributes follow OpenTelemetry's HTTP
 * conventions, plus the route and the upstream. Off (no span, nothing written) unless Pier runs
 * with tracing on; a client's own {@code traceparent} then passes through unchanged like any header.
 */
final class RequestTracing {
    static final RequestTracing OFF = new RequestTracing(null);

    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> HOST = AttributeKey.stringKey("server.address");
    static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("pier.route");
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("k8s.namespace.name");
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("pier.upstream.service");
    static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("pier.upstream.address");
    static final AttributeKey<Long> RETRIES = AttributeKey.longKey("pier.retries");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("pier.request_id");

    private static final TextMapGetter<MultiMap> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final TextMapSetter<MultiMap> SET_HEADER = (carrier, key, value) -> {
        if (carrier != null) carrier.set(key, value);
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    /** @param openTelemetry null for tracing off */
    RequestTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry == null ? null : openTelemetry.getTracer("dev.pier.proxy");
        this.propagator = openTelemetry == null ? null : openTelemetry.getPropagators().getTextMapPropagator();
    }

    boolean on() {
        return tracer != null;
    }

    /** Starts the request's span, a child of the client's trace context when it sent one; null when tracing is off. */
    Span start(HttpServerRequest request, String client) {
        if (tracer == null) return null;
        Context parent = propagator.extract(Context.root(), request.headers(), HEADERS);
        String method = request.method().name();
        var builder = tracer.spanBuilder(method)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, method)
                .setAttribute(PATH, request.path())
                .setAttribute(SCHEME, request.scheme() == null ? "http" : request.scheme())
                .setAttribute(PROTOCOL, ExchangeRecorder.protocolVersion(request.version()));
        if (request.authority() != null) builder.setAttribute(HOST, request.authority().host());
        if (client != null) builder.setAttribute(CLIENT, client);
        String agent = request.getHeader("user-agent");
        if (agent != null) builder.setAttribute(USER_AGENT, agent);
        return builder.startSpan();
    }

    /** Writes the span's context into the backend's request headers (replacing the client's {@code traceparent}). */
    void inject(Span span, MultiMap upstreamHeaders) {
        if (span == null) return;
        propagator.inject(Context.root().with(span), upstreamHeaders, SET_HEADER);
    }

    /** The trace id for the access log, or null. */
    static String traceId(Span span) {
        return span != null && span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }

    static void end(Span span, String method, CompiledRoute route, Target target, String upstream, int status, int retries,
                    String requestId) {
        if (span == null) return;
        if (span.isRecording()) {
            if (route != null) {
                span.updateName(method + " " + route.id()); // low-cardinality, as the HTTP conventions ask of a span name
                span.setAttribute(ROUTE, route.id());
                span.setAttribute(NAMESPACE, route.route.source().namespace());
            }
            if (target != null) span.setAttribute(SERVICE, target.meters.service);
            if (upstream != null) span.setAttribute(UPSTREAM, upstream);
            if (retries > 0) span.setAttribute(RETRIES, (long) retries);
            if (requestId != null) span.setAttribute(REQUEST_ID, requestId);
            span.setAttribute(STATUS, (long) status);
            if (status >= 500 || status == 0) span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
