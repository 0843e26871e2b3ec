package dev.pier.proxy;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What Pier tells a backend about the client, and which client headers cross: end-to-end headers
 * are copied (hop-by-hop ones never), {@code X-Forwarded-For} gets the peer appended,
 * {@code X-Forwarded-Proto/-Host/-Port} are set, replacing what the client sent, an
 * {@code X-Request-Id} is made up when the client sent none, and with tracing on the request's
 * span goes along as {@code traceparent}. One instance per event loop. Which proxies to trust, or
 * {@code Forwarded}, would be decided here, and {@link #clientAddress} would say the outcome.
 */
final class ForwardedHeaders {
    /** Client headers Pier sets itself (Host goes as the request's authority, Expect is answered here). */
    private static final String[] SET_BY_PROXY = {"host", "expect", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port"};
    // Header names and values as precomputed AsciiStrings: no per-request encoding or hashing of the name.
    private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
    private static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
    private static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
    private static final CharSequence X_FORWARDED_PORT = HttpHeaders.createOptimized("x-forwarded-port");
    private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
    private static final CharSequence HTTP = HttpHeaders.createOptimized("http");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final RequestTracing tracing;

    // Per event loop, so plain fields: one listener, so nearly always the cached port.
    private int cachedPort = -1;
    private String cachedPortText;

    ForwardedHeaders(RequestTracing tracing) {
        this.tracing = tracing;
    }

    /**
     * Fills {@code upstream} with the headers the backend gets for {@code request}.
     *
     * @param span the request's span (its context goes along), or null
     * @return the request id the backend got: the client's {@code X-Request-Id}, else a new one
     */
    String apply(HttpServerRequest request, boolean websocket, MultiMap upstream, Span span) {
        MultiMap in = request.headers();
        HopByHop.copy(in, upstream, SET_BY_PROXY);
        SocketAddress remote = request.remoteAddress();
        String clientIp = remote == null ? null : remote.hostAddress();
        String forwardedFor = in.get(X_FORWARDED_FOR);
        if (clientIp != null) {
            upstream.set(X_FORWARDED_FOR, forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
        } else if (forwardedFor != null) {
            upstream.set(X_FORWARDED_FOR, forwardedFor);
        }
        String scheme = request.scheme();
        upstream.set(X_FORWARDED_PROTO, scheme == null || scheme.equals("http") ? HTTP : scheme);
        String host = in.get(HttpHeaders.HOST);
        if (host == null && request.authority() != null) host = request.authority().toString(); // HTTP/2 :authority
        if (host != null) upstream.set(X_FORWARDED_HOST, host);
        SocketAddress local = request.localAddress();
        if (local != null) upstream.set(X_FORWARDED_PORT, portText(local.port()));
        if (websocket) {
            upstream.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
            upstream.set(HttpHeaders.UPGRADE, in.get(HttpHeaders.UPGRADE));
        }
        String requestId = in.get(X_REQUEST_ID); // copied above when the client sent one
        if (requestId == null) {
            requestId = newRequestId();
            upstream.set(X_REQUEST_ID, requestId);
        }
        tracing.inject(span, upstream);
        return requestId;
    }

    /** The request's id for a request that goes to no backend: the client's, else a new one. */
    String requestId(HttpServerRequest request) {
        String id = request.getHeader(X_REQUEST_ID);
        return id != null ? id : newRequestId();
    }

    /**
     * The client's address as Pier reports it (access log, span): today the peer's IP. When
     * trusted proxies are configured, this is where the address they forwarded takes over.
     */
    String clientAddress(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }

    /** 128 random bits as 32 hex digits; not a secret, so the event loop's fast generator will do. */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = random.nextLong();
        long b = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    private String portText(int port) {
        if (port != cachedPort) {
            cachedPortText = Integer.toString(port);
            cachedPort = port;
        }
        return cachedPortText;
    }
}
