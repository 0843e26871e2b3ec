package dev.pier.proxy;

import dev.pier.model.Endpoint;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happens once per exchange, when it ends (for a websocket, when its handshake is done): the
 * route's meters (under route {@code none} for a 404 without a route), the access-log line when
 * the log is on and the line sampled, and the end of the request's span. Shared by all event
 * loops; its only state is the count of requests in flight.
 */
final class ExchangeRecorder {
    private final RouteMeters noRoute;
    private final AccessLog accessLog;
    final RequestTracing tracing;
    final LongAdder activeRequests = new LongAdder();

    /** @param accessLog null when the access log is off */
    ExchangeRecorder(RouteMeters noRoute, AccessLog accessLog, RequestTracing tracing) {
        this.noRoute = noRoute;
        this.accessLog = accessLog;
        this.tracing = tracing;
    }

    /** A request arrived: counted in flight until {@link #ended} or {@link #answeredDirectly}. */
    void started() {
        activeRequests.increment();
    }

    void ended(Exchange e) {
        activeRequests.decrement();
        long duration = System.nanoTime() - e.startNanos;
        HttpServerRequest request = e.request;
        Target target = e.target();
        RouteMeters meters = target != null ? target.meters : e.route.unserved();
        int status = e.status();
        long bytesIn = request.bytesRead();
        long bytesOut = request.response().bytesWritten();
        meters.record(request.method(), status, duration, e.upstreamNanos(), bytesIn, bytesOut);
        Span span = e.span;
        boolean log = accessLog != null && accessLog.sampled(status);
        if (!log && span == null) return;
        Endpoint endpoint = e.upstreamEndpoint();
        if (log) {
            accessLog.offer(line(e.server, request, status, bytesIn, bytesOut, duration, e.upstreamNanos(), endpoint,
                    e.route.id(), target == null ? null : target.meters.service, e.retries(), e.requestId(),
                    RequestTracing.traceId(span)));
        }
        if (span != null) {
            String upstream = endpoint == null ? null : endpoint.host() + ":" + endpoint.port();
            RequestTracing.end(span, request.method().name(), e.route, target, upstream, status, e.retries(), e.requestId());
        }
    }

    /**
     * A request Pier answered itself before any exchange: without a route, 404 (none matched) or 400
     * (the path policy refused it); with one, the route's redirect to HTTPS.
     */
    void answeredDirectly(ProxyServer server, HttpServerRequest request, CompiledRoute route, int status, long startNanos,
                          Span span) {
        activeRequests.decrement();
        long duration = System.nanoTime() - startNanos;
        long bytesIn = request.bytesRead();
        long bytesOut = request.response().bytesWritten();
        (route == null ? noRoute : route.unserved()).record(request.method(), status, duration, -1, bytesIn, bytesOut);
        String requestId = null;
        if (accessLog != null && accessLog.sampled(status)) {
            requestId = server.forwardedHeaders().requestId(request);
            accessLog.offer(line(server, request, status, bytesIn, bytesOut, duration, -1, null,
                    route == null ? null : route.id(), null, 0, requestId, RequestTracing.traceId(span)));
        }
        RequestTracing.end(span, request.method().name(), route, null, null, status, 0, requestId);
    }

    /**
     * A request head the edge refused before routing (framing, limits) and answered (400, 414,
     * 431): counted and logged like a request Pier answered itself, under route {@code none}.
     */
    void refusedHead(ProxyServer server, HttpServerRequest request, int status) {
        activeRequests.increment();
        try {
            answeredDirectly(server, request, null, status, System.nanoTime(), null);
        } catch (RuntimeException e) {
            // a head malformed enough that Vert.x cannot say its method or host: counted all the same
            refusedAtEdge(status);
        }
    }

    /**
     * Pier answered at the edge where no request reached Vert.x (a head that never completed: 408):
     * counted under route {@code none} with method {@code OTHER}; there is no request to time or log.
     */
    void refusedAtEdge(int status) {
        noRoute.refused(status);
    }

    private static AccessLogLine line(ProxyServer server, HttpServerRequest request, int status, long bytesIn, long bytesOut,
                                      long durationNanos, long upstreamNanos, Endpoint upstream, String route, String service,
                                      int retries, String requestId, String traceId) {
        long startMillis = System.currentTimeMillis() - durationNanos / 1_000_000;
        var authority = request.authority();
        return new AccessLogLine(startMillis, server.forwardedHeaders().clientAddress(request), request.method().name(),
                authority == null ? null : authority.host(), request.path(), protocol(request.version()), status,
                bytesIn, bytesOut, durationNanos, upstreamNanos, upstream, route, service, retries, requestId, traceId,
                request.getHeader("user-agent"));
    }

    static String protocol(HttpVersion version) {
        return switch (version) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2";
            default -> version.alpnName();
        };
    }

    /** The version as OpenTelemetry's {@code network.protocol.version} writes it. */
    static String protocolVersion(HttpVersion version) {
        return switch (version) {
            case HTTP_1_0 -> "1.0";
            case HTTP_1_1 -> "1.1";
            case HTTP_2 -> "2";
            default -> version.alpnName();
        };
    }
}
