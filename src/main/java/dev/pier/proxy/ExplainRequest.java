package dev.pier.proxy;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request as {@code pier explain} describes it: host, path (a query may follow {@code ?}),
 * method and headers. It goes through the data plane's own matcher.
 */
public record ExplainRequest(String host, String path, String method, Map<String, String> headers) {
    public ExplainRequest {
        if (path == null || path.isEmpty()) path = "/";
        if (!path.startsWith("/")) throw new IllegalArgumentException("the path must start with /: " + path);
        method = method == null || method.isBlank() ? "GET" : method.toUpperCase(Locale.ROOT);
        Map<String, String> lower = new TreeMap<>();
        if (headers != null) headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        headers = Map.copyOf(lower);
    }

    /** The host without a port, as the matcher reads it. */
    String hostWithoutPort() {
        if (host == null || host.isEmpty()) return headers.get("host") == null ? null : withoutPort(headers.get("host"));
        return withoutPort(host);
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 || host.indexOf(':') != colon ? host : host.substring(0, colon);
    }

    public String pathWithoutQuery() {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    String query() {
        int q = path.indexOf('?');
        return q < 0 ? null : path.substring(q + 1);
    }

    /** @param normalisedPath the path as the data plane normalised it ({@link PathNormalizer}) */
    MatchInput input(String normalisedPath) {
        return new MatchInput() {
            @Override public String host() { return hostWithoutPort(); }
            @Override public String path() { return normalisedPath; }
            @Override public String method() { return method; }
            @Override public String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }
            @Override public String query() { return ExplainRequest.this.query(); }
        };
    }
}
