package dev.pier.proxy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/**
 * The request as the backend gets it: the head the client sent, with hop-by-hop headers left out,
 * forwarded headers set ({@link ForwardedHeaders}) and the filters' edits (headers, path,
 * authority). Built once per exchange; each try opens with it.
 */
final class UpstreamRequest {
    private static final CharSequence TE = HttpHeaders.createOptimized("te");
    private static final CharSequence TRAILERS = HttpHeaders.createOptimized("trailers");

    private final HttpServerRequest downstream;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    /** The client said it reads trailers ({@code TE: trailers}); HTTP/2 backends are told so (gRPC needs it). */
    private final boolean trailersAccepted;
    private final boolean forwardRawPath;
    private String path;
    private HostAndPort authority;

    /**
     * @param path           the normalised path, which filters and the resolver edit
     * @param forwardRawPath send the path as the client sent it instead (the route's opt-out; such a
     *                       route has no path rewrite, so nothing is lost)
     */
    UpstreamRequest(HttpServerRequest downstream, String path, boolean forwardRawPath) {
        this.downstream = downstream;
        this.path = path;
        this.forwardRawPath = forwardRawPath;
        this.authority = downstream.authority();
        String te = downstream.getHeader(TE);
        this.trailersAccepted = te != null && te.toLowerCase(java.util.Locale.ROOT).contains("trailers");
    }

    MultiMap headers() {
        return headers;
    }

    String path() {
        return path;
    }

    void path(String path) {
        this.path = path;
    }

    /** The Host / :authority the backend sees; null when the client sent none. */
    HostAndPort authority() {
        return authority;
    }

    void authority(HostAndPort authority) {
        this.authority = authority;
    }

    /** The method the client sent; every try sends it. */
    HttpMethod method() {
        return downstream.method();
    }

    /**
     * The request target of a try: the path (normalised and edited, or as the client sent it when the
     * route forwards the raw path) and the query as the client sent it.
     */
    String uri() {
        String query = downstream.query();
        String path = forwardRawPath && !downstream.path().isEmpty() ? downstream.path() : this.path;
        return query == null ? path : path + '?' + query;
    }

    /** TE is hop-by-hop; on HTTP/2 only "trailers" may cross, and an HTTP/1.1 hop would have to name it in Connection. */
    void teFor(BackendProtocol protocol) {
        if (trailersAccepted && protocol instanceof BackendProtocol.H2c) headers.set(TE, TRAILERS);
        else headers.remove(TE);
    }

    /**
     * The head of one try to {@code endpoint} through Vert.x's client: method and query as the client
     * sent them. Over TLS the host is the name the backend's certificate is checked against (and sent
     * as SNI); the connection still goes to the endpoint's address.
     */
    RequestOptions options(Endpoint endpoint, SocketAddress address, long connectTimeoutMs, BackendProtocol protocol) {
        teFor(protocol);
        String host = protocol instanceof BackendProtocol.Https https ? https.tls().serverName() : endpoint.host();
        return new RequestOptions()
                .setServer(address)
                .setHost(host)
                .setPort(endpoint.port())
                .setMethod(downstream.method())
                .setURI(uri())
                .setHeaders(headers)
                .setConnectTimeout(connectTimeoutMs);
    }
}
