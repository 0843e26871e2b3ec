package dev.pier.proxy;

import dev.pier.model.Endpoint;
import io.vertx.core.MultiMap;
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
    private final HttpServerRequest downstream;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
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

    /** The head of one try to {@code endpoint}: method and query as the client sent them. */
    RequestOptions options(Endpoint endpoint, SocketAddress address, long connectTimeoutMs) {
        String query = downstream.query();
        String path = forwardRawPath && !downstream.path().isEmpty() ? downstream.path() : this.path;
        return new RequestOptions()
                .setServer(address)
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setMethod(downstream.method())
                .setURI(query == null ? path : path + '?' + query)
                .setHeaders(headers)
                .setConnectTimeout(connectTimeoutMs);
    }
}
