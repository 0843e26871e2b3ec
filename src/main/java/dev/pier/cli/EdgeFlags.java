package dev.pier.cli;

import dev.pier.api.ByteSizes;
import dev.pier.api.Durations;
import dev.pier.proxy.Cidr;
import dev.pier.proxy.EdgePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The edge policy's flags (docs/security.md): client-facing timeouts, limits, trusted proxies. */
final class EdgeFlags {
    @Option(names = "--request-headers-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PIER_REQUEST_HEADERS_TIMEOUT:-10s}",
            description = "From a connection's accept, or a request's first byte, to its complete head; then 408 and close."
                    + " Env: PIER_REQUEST_HEADERS_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration requestHeadersTimeout;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PIER_KEEPALIVE_TIMEOUT:-60s}",
            description = "An HTTP/1 connection with no request in progress is closed after this. Env: PIER_KEEPALIVE_TIMEOUT."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration keepAliveTimeout;

    @Option(names = "--client-body-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PIER_CLIENT_BODY_TIMEOUT:-60s}",
            description = "Longest pause between two reads of a request body; then 408 (or a cut response) and close."
                    + " Env: PIER_CLIENT_BODY_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration clientBodyTimeout;

    @Option(names = "--http2-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PIER_HTTP2_IDLE_TIMEOUT:-3m}",
            description = "An HTTP/2 connection with no frame either way is closed after this. Env: PIER_HTTP2_IDLE_TIMEOUT."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration http2IdleTimeout;

    @Option(names = "--websocket-idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PIER_WEBSOCKET_IDLE_TIMEOUT:-5m}",
            description = "A websocket with no frame either way is closed after this (a GatewayRoute rule may set its own)."
                    + " Env: PIER_WEBSOCKET_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration websocketIdleTimeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PIER_CONNECT_TIMEOUT:-5s}",
            description = "TCP connect to a backend; then 504 'backend connect timed out' (a GatewayRoute rule may set its own)."
                    + " Env: PIER_CONNECT_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "${env:PIER_MAX_CONNECTIONS:-0}",
            description = "Client connections open at once; more are closed as they are accepted. 0: half the descriptor"
                    + " limit less 256. Env: PIER_MAX_CONNECTIONS.")
    int maxConnections;

    @Option(names = "--max-concurrent-streams", paramLabel = "N", defaultValue = "${env:PIER_MAX_CONCURRENT_STREAMS:-128}",
            description = "HTTP/2 streams a client may have open on one connection. Env: PIER_MAX_CONCURRENT_STREAMS."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxConcurrentStreams;

    @Option(names = "--max-header-count", paramLabel = "N", defaultValue = "${env:PIER_MAX_HEADER_COUNT:-100}",
            description = "Request header fields; more: 431. Env: PIER_MAX_HEADER_COUNT. Default: ${DEFAULT-VALUE}.")
    int maxHeaderCount;

    @Option(names = "--max-header-size", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:PIER_MAX_HEADER_SIZE:-32Ki}",
            description = "Request header section; more: 431. Env: PIER_MAX_HEADER_SIZE. Default: ${DEFAULT-VALUE}.")
    long maxHeaderSize;

    @Option(names = "--max-request-line", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:PIER_MAX_REQUEST_LINE:-8Ki}",
            description = "Request line (method, target, version); more: 414. Env: PIER_MAX_REQUEST_LINE. Default: ${DEFAULT-VALUE}.")
    long maxRequestLine;

    @Option(names = "--max-request-body-size", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:PIER_MAX_REQUEST_BODY_SIZE:-0}",
            description = "Request body for rules that set no maxRequestBodySize; more: 413. 0: no limit."
                    + " Env: PIER_MAX_REQUEST_BODY_SIZE. Default: ${DEFAULT-VALUE}.")
    long maxRequestBodySize;

    @Option(names = "--request-buffer-size", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:PIER_REQUEST_BUFFER_SIZE:-64Ki}",
            description = "A request body up to this size is read whole before a backend connection is taken (and may be"
                    + " retried); a larger one streams. Env: PIER_REQUEST_BUFFER_SIZE. Default: ${DEFAULT-VALUE}.")
    long requestBufferSize;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR", split = ",", defaultValue = "${env:PIER_TRUSTED_PROXIES}",
            description = "A proxy in front whose X-Forwarded-* and X-Real-IP are believed (e.g. 10.0.0.0/8); repeatable."
                    + " From anyone else they are replaced. Env: PIER_TRUSTED_PROXIES (comma-separated).")
    List<String> trustedProxies;

    @Option(names = "--proxy-protocol", defaultValue = "${env:PIER_PROXY_PROTOCOL:-false}",
            description = "Every connection to the proxy port starts with a PROXY protocol v1 or v2 header (from a load"
                    + " balancer); the client's address is taken from it. Env: PIER_PROXY_PROTOCOL.")
    boolean proxyProtocol;

    @Option(names = "--max-event-loop-delay", paramLabel = "DURATION", converter = DurationOrZeroConverter.class,
            defaultValue = "${env:PIER_MAX_EVENT_LOOP_DELAY:-2s}",
            description = "When an event loop runs this late, new requests on it get 503 with Retry-After; 0: never shed."
                    + " Env: PIER_MAX_EVENT_LOOP_DELAY. Default: ${DEFAULT-VALUE}.")
    Duration maxEventLoopDelay;

    /** @throws IllegalArgumentException naming the flag whose value does not fit */
    EdgePolicy policy() {
        List<Cidr> trusted = new ArrayList<>();
        if (trustedProxies != null) {
            for (String t : trustedProxies) {
                if (t.isBlank()) continue;
                try {
                    trusted.add(Cidr.parse(t));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--trusted-proxy " + e.getMessage());
                }
            }
        }
        EdgePolicy defaults = EdgePolicy.defaults();
        return defaults.withTimeouts(requestHeadersTimeout, keepAliveTimeout, clientBodyTimeout, http2IdleTimeout,
                        websocketIdleTimeout)
                .withLimits(maxConnections > 0 ? maxConnections : defaults.maxConnections(), maxConcurrentStreams,
                        maxHeaderCount, intSize(maxHeaderSize, "--max-header-size"),
                        intSize(maxRequestLine, "--max-request-line"), maxRequestBodySize,
                        intSize(requestBufferSize, "--request-buffer-size"))
                .withForwarding(trusted, proxyProtocol)
                .withMaxEventLoopDelay(maxEventLoopDelay);
    }

    private static int intSize(long value, String flag) {
        if (value > Integer.MAX_VALUE) throw new IllegalArgumentException(flag + " " + value + " is too large");
        return (int) value;
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = Durations.parse(value);
            if (d.isZero()) throw new IllegalArgumentException("must be more than zero");
            return d;
        }
    }

    static final class DurationOrZeroConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return value.equals("0") ? Duration.ZERO : Durations.parse(value);
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return ByteSizes.parse(value);
        }
    }
}
