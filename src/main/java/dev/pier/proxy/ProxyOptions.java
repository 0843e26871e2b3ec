package dev.pier.proxy;

import java.time.Duration;

/**
 * How the data plane listens and talks to backends.
 *
 * @param host                       address to bind
 * @param httpPort                   cleartext HTTP/1.1 + h2c port; 0 binds any free port
 * @param maxConnectionsPerEndpoint  HTTP/1 connections kept per backend endpoint, over all event loops
 * @param maxWaitQueue               requests allowed to wait for a connection per endpoint, over all event loops
 * @param connectTimeout             TCP connect timeout to a backend (502 after it)
 * @param backendTimeout             per try, time until the backend's response head arrives (504 after it),
 *                                   unless the route sets {@code Timeouts.backendRequest}
 * @param eventLoops                 server instances, one per event loop
 * @param serverHeader               the {@code Server} header on responses that have none; empty for none
 * @param httpsPort                  HTTPS (HTTP/1.1 and h2 by ALPN) port; 0 binds any free port, -1 serves no HTTPS
 * @param httpsRedirectPort          the port plain-HTTP redirects send clients to (443: none written in the URL);
 *                                   the port clients reach, which behind a Service is not {@code httpsPort}
 * @param tlsEngine                  which TLS implementation terminates HTTPS
 * @param edge                       what clients are allowed on both listeners: timeouts, limits, trusted proxies
 *                                   (docs/security.md)
 * @param acmeTlsAlpn                answer ACME TLS-ALPN-01 validations on the HTTPS port (with ACME on)
 */
public record ProxyOptions(String host, int httpPort, int maxConnectionsPerEndpoint, int maxWaitQueue,
                           Duration connectTimeout, Duration backendTimeout, int eventLoops, String serverHeader,
                           int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine, EdgePolicy edge, boolean acmeTlsAlpn) {
    /** The {@code Server} header Pier sends by default. */
    public static final String DEFAULT_SERVER_HEADER = "pier";

    public ProxyOptions {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("ProxyOptions.host is empty");
        if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("ProxyOptions.httpPort out of range: " + httpPort);
        if (maxConnectionsPerEndpoint < 1) throw new IllegalArgumentException("ProxyOptions.maxConnectionsPerEndpoint < 1");
        if (maxWaitQueue < 0) throw new IllegalArgumentException("ProxyOptions.maxWaitQueue < 0");
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero())
            throw new IllegalArgumentException("ProxyOptions.connectTimeout must be positive");
        if (backendTimeout == null || backendTimeout.isNegative() || backendTimeout.isZero())
            throw new IllegalArgumentException("ProxyOptions.backendTimeout must be positive");
        if (eventLoops < 1) throw new IllegalArgumentException("ProxyOptions.eventLoops < 1");
        if (httpsPort < -1 || httpsPort > 65535) throw new IllegalArgumentException("ProxyOptions.httpsPort out of range: " + httpsPort);
        if (httpsRedirectPort < 1 || httpsRedirectPort > 65535)
            throw new IllegalArgumentException("ProxyOptions.httpsRedirectPort out of range: " + httpsRedirectPort);
        if (tlsEngine == null) tlsEngine = TlsEngine.AUTO;
        if (serverHeader == null) serverHeader = "";
        String problem = serverHeaderProblem(serverHeader);
        if (problem != null) throw new IllegalArgumentException("ProxyOptions.serverHeader " + problem);
        if (edge == null) throw new IllegalArgumentException("ProxyOptions.edge is null");
    }

    /**
     * Why {@code value} cannot be a {@code Server} header value, or null when it can: visible
     * ASCII and inner spaces only (RFC 9110 section 5.5), so no value can split or forge a header.
     */
    public static String serverHeaderProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) return "has a character a header value cannot hold at index " + i;
        }
        if (!value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' '))
            return "starts or ends with a space";
        return null;
    }

    /** Without HTTPS, with the default edge policy. */
    public ProxyOptions(String host, int httpPort, int maxConnectionsPerEndpoint, int maxWaitQueue,
                        Duration connectTimeout, Duration backendTimeout, int eventLoops, String serverHeader) {
        this(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout, eventLoops, serverHeader,
                EdgePolicy.defaults());
    }

    /** Without HTTPS. */
    public ProxyOptions(String host, int httpPort, int maxConnectionsPerEndpoint, int maxWaitQueue,
                        Duration connectTimeout, Duration backendTimeout, int eventLoops, String serverHeader, EdgePolicy edge) {
        this(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout, eventLoops, serverHeader,
                -1, DEFAULT_HTTPS_REDIRECT_PORT, TlsEngine.AUTO, edge);
    }

    /** Without the ACME TLS-ALPN-01 responder. */
    public ProxyOptions(String host, int httpPort, int maxConnectionsPerEndpoint, int maxWaitQueue,
                        Duration connectTimeout, Duration backendTimeout, int eventLoops, String serverHeader,
                        int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine, EdgePolicy edge) {
        this(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout, eventLoops, serverHeader,
                httpsPort, httpsRedirectPort, tlsEngine, edge, false);
    }

    /** With the default edge policy. */
    public ProxyOptions(String host, int httpPort, int maxConnectionsPerEndpoint, int maxWaitQueue,
                        Duration connectTimeout, Duration backendTimeout, int eventLoops, String serverHeader,
                        int httpsPort, int httpsRedirectPort, TlsEngine tlsEngine) {
        this(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout, eventLoops, serverHeader,
                httpsPort, httpsRedirectPort, tlsEngine, EdgePolicy.defaults());
    }

    /** The HTTPS port a plain-HTTP redirect sends clients to by default. */
    public static final int DEFAULT_HTTPS_REDIRECT_PORT = 443;

    public ProxyOptions withServerHeader(String value) {
        return new ProxyOptions(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout,
                eventLoops, value, httpsPort, httpsRedirectPort, tlsEngine, edge, acmeTlsAlpn);
    }

    public ProxyOptions withEdge(EdgePolicy value) {
        return new ProxyOptions(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout,
                eventLoops, serverHeader, httpsPort, httpsRedirectPort, tlsEngine, value, acmeTlsAlpn);
    }

    /** With HTTPS on {@code port} (0: any free port), redirects to {@code redirectPort}, terminated by {@code engine}. */
    public ProxyOptions withHttps(int port, int redirectPort, TlsEngine engine) {
        return new ProxyOptions(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout,
                eventLoops, serverHeader, port, redirectPort, engine, edge, acmeTlsAlpn);
    }

    /** With or without the ACME TLS-ALPN-01 responder on the HTTPS port. */
    public ProxyOptions withAcmeTlsAlpn(boolean on) {
        return new ProxyOptions(host, httpPort, maxConnectionsPerEndpoint, maxWaitQueue, connectTimeout, backendTimeout,
                eventLoops, serverHeader, httpsPort, httpsRedirectPort, tlsEngine, edge, on);
    }

    public boolean httpsEnabled() {
        return httpsPort >= 0;
    }

    /** Sized for real load: 256 connections and a wait queue of 1024 per endpoint, one event loop per core. */
    public static ProxyOptions defaults(int httpPort) {
        return new ProxyOptions("0.0.0.0", httpPort, 256, 1024, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Runtime.getRuntime().availableProcessors(), DEFAULT_SERVER_HEADER);
    }
}
