package dev.pier.proxy;

import java.time.Duration;
import java.util.List;

/**
 * What Pier allows a client at the edge, on every listener: how long each client-facing wait
 * may last, how much a client may send, how many connections and streams it may hold, and whose
 * forwarded headers are believed. {@link Listener} turns it into server options and per-connection
 * guards; the defaults are documented in docs/security.md.
 *
 * @param requestHeadersTimeout  from a request's first byte (or a new connection) to its complete head; 408 and close
 * @param keepAliveTimeout       an HTTP/1 connection with no request in progress is closed after this long
 * @param clientBodyTimeout      longest pause between two reads of a request body; 408 (or a cut) and close
 * @param http2IdleTimeout       an HTTP/2 connection with no frame either way is closed (GOAWAY) after this long
 * @param websocketIdleTimeout   a websocket with no frame either way is closed after this long
 * @param maxConnections         client connections open at once over all event loops; more are closed at once
 * @param maxConcurrentStreams   HTTP/2 streams a client may open at once on one connection (SETTINGS)
 * @param maxHeaderCount         request header fields; more: 431
 * @param maxHeaderBytes         request header section in bytes; more: 431
 * @param maxRequestLineBytes    request line in bytes; more: 414
 * @param maxRequestBodyBytes    request body in bytes for routes that set none; 0 for no limit; more: 413
 * @param requestBufferBytes     a request body up to this size is read whole before a backend connection is taken
 * @param trustedProxies         peers whose X-Forwarded-* and X-Real-IP are believed; others' are replaced
 * @param proxyProtocol          the listener expects a PROXY protocol v1/v2 header on every connection
 * @param maxEventLoopDelay      when an event loop runs this late, new requests are shed (503 + Retry-After); zero: never
 */
public record EdgePolicy(Duration requestHeadersTimeout, Duration keepAliveTimeout, Duration clientBodyTimeout,
                         Duration http2IdleTimeout, Duration websocketIdleTimeout, int maxConnections,
                         int maxConcurrentStreams, int maxHeaderCount, int maxHeaderBytes, int maxRequestLineBytes,
                         long maxRequestBodyBytes, int requestBufferBytes, List<Cidr> trustedProxies,
                         boolean proxyProtocol, Duration maxEventLoopDelay) {
    /** Descriptors kept back from {@link #maxConnections} for backends, files and the admin port. */
    static final int RESERVED_DESCRIPTORS = 256;

    public EdgePolicy {
        positive(requestHeadersTimeout, "requestHeadersTimeout");
        positive(keepAliveTimeout, "keepAliveTimeout");
        positive(clientBodyTimeout, "clientBodyTimeout");
        positive(http2IdleTimeout, "http2IdleTimeout");
        positive(websocketIdleTimeout, "websocketIdleTimeout");
        if (maxConnections < 1) throw new IllegalArgumentException("EdgePolicy.maxConnections < 1");
        if (maxConcurrentStreams < 1) throw new IllegalArgumentException("EdgePolicy.maxConcurrentStreams < 1");
        if (maxHeaderCount < 1) throw new IllegalArgumentException("EdgePolicy.maxHeaderCount < 1");
        if (maxHeaderBytes < 1024) throw new IllegalArgumentException("EdgePolicy.maxHeaderBytes < 1024");
        if (maxRequestLineBytes < 256) throw new IllegalArgumentException("EdgePolicy.maxRequestLineBytes < 256");
        if (maxRequestBodyBytes < 0) throw new IllegalArgumentException("EdgePolicy.maxRequestBodyBytes < 0");
        if (requestBufferBytes < 0) throw new IllegalArgumentException("EdgePolicy.requestBufferBytes < 0");
        trustedProxies = List.copyOf(trustedProxies);
        if (maxEventLoopDelay == null || maxEventLoopDelay.isNegative())
            throw new IllegalArgumentException("EdgePolicy.maxEventLoopDelay must be zero or positive");
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("EdgePolicy." + name + " must be positive");
    }

    /** The documented defaults; connections sized to this process's descriptor limit. */
    public static EdgePolicy defaults() {
        return new EdgePolicy(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(180), Duration.ofSeconds(300), connectionsForDescriptors(descriptorLimit()),
                128, 100, 32 * 1024, 8 * 1024, 0, 64 * 1024, List.of(), false, Duration.ofSeconds(2));
    }

    /**
     * A proxied request may hold two descriptors (client and backend), so half of what is left
     * after {@link #RESERVED_DESCRIPTORS}; at least 64.
     */
    static int connectionsForDescriptors(long limit) {
        long usable = (limit - RESERVED_DESCRIPTORS) / 2;
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, usable));
    }

    /** This process's open-file limit, or 4096 when the JVM cannot tell. */
    static long descriptorLimit() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) return unix.getMaxFileDescriptorCount();
        return 4096;
    }

    public EdgePolicy withTimeouts(Duration headers, Duration keepAlive, Duration body, Duration http2Idle, Duration websocketIdle) {
        return new EdgePolicy(headers, keepAlive, body, http2Idle, websocketIdle, maxConnections, maxConcurrentStreams,
                maxHeaderCount, maxHeaderBytes, maxRequestLineBytes, maxRequestBodyBytes, requestBufferBytes,
                trustedProxies, proxyProtocol, maxEventLoopDelay);
    }

    public EdgePolicy withLimits(int connections, int streams, int headerCount, int headerBytes, int requestLineBytes,
                                 long requestBodyBytes, int bufferBytes) {
        return new EdgePolicy(requestHeadersTimeout, keepAliveTimeout, clientBodyTimeout, http2IdleTimeout,
                websocketIdleTimeout, connections, streams, headerCount, headerBytes, requestLineBytes, requestBodyBytes,
                bufferBytes, trustedProxies, proxyProtocol, maxEventLoopDelay);
    }

    public EdgePolicy withForwarding(List<Cidr> trusted, boolean proxyProtocolOn) {
        return new EdgePolicy(requestHeadersTimeout, keepAliveTimeout, clientBodyTimeout, http2IdleTimeout,
                websocketIdleTimeout, maxConnections, maxConcurrentStreams, maxHeaderCount, maxHeaderBytes,
                maxRequestLineBytes, maxRequestBodyBytes, requestBufferBytes, trusted, proxyProtocolOn, maxEventLoopDelay);
    }

    public EdgePolicy withMaxEventLoopDelay(Duration delay) {
        return new EdgePolicy(requestHeadersTimeout, keepAliveTimeout, clientBodyTimeout, http2IdleTimeout,
                websocketIdleTimeout, maxConnections, maxConcurrentStreams, maxHeaderCount, maxHeaderBytes,
                maxRequestLineBytes, maxRequestBodyBytes, requestBufferBytes, trustedProxies, proxyProtocol, delay);
    }
}
