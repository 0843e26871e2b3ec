package dev.pier.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * What Pier tells a backend about the client, and which client headers cross: end-to-end headers
 * are copied (hop-by-hop ones never), {@code X-Forwarded-For} gets the peer appended, and
 * {@code X-Forwarded-Proto/-Host/-Port} are set, replacing what the client sent. One instance per
 * event loop. Which proxies to trust, or {@code Forwarded}, would be decided here.
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
    private static final CharSequence HTTP = HttpHeaders.createOptimized("http");

    // Per event loop, so plain fields: one listener, so nearly always the cached port.
    private int cachedPort = -1;
    private String cachedPortText;

    /** Fills {@code upstream} with the headers the backend gets for {@code request}. */
    void apply(HttpServerRequest request, boolean websocket, MultiMap upstream) {
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
    }

    private String portText(int port) {
        if (port != cachedPort) {
            cachedPortText = Integer.toString(port);
            cachedPort = port;
        }
        return cachedPortText;
    }
}
