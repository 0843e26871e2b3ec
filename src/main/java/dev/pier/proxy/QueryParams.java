package dev.pier.proxy;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A request's query parameters with case-sensitive names, as GatewayRoute query matches and
 * hash keys compare them. Vert.x's {@code request.params()} folds name case, so {@code ?V=2}
 * would match a condition on {@code v}. Decoded the way Vert.x decodes them otherwise.
 */
final class QueryParams {
    private final Map<String, List<String>> params;

    private QueryParams(Map<String, List<String>> params) {
        this.params = params;
    }

    static QueryParams of(HttpServerRequest request) {
        return of(request.query());
    }

    static QueryParams of(String query) {
        if (query == null || query.isEmpty()) return new QueryParams(Map.of());
        return new QueryParams(new QueryStringDecoder(query, StandardCharsets.UTF_8, false, 1024).parameters());
    }

    /** The first value of {@code name}, percent-decoded, or null when the parameter is absent. */
    String first(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
