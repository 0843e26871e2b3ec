package dev.pier.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;

/**
 * The plain-HTTP side of a host that has TLS: a 308 to the same host, path and query over https://
 * (308 keeps the method and body, as ingress-nginx answers), except for ACME HTTP-01 challenges,
 * which a certificate authority fetches over plain HTTP before the host has its certificate.
 */
final class HttpsRedirect {
    /** Where HTTP-01 challenge answers live (RFC 8555, section 8.3). */
    static final String ACME_CHALLENGE_PREFIX = "/.well-known/acme-challenge/";

    private final String portSuffix;

    /** @param port the HTTPS port clients reach; 443 is left out of the URL */
    HttpsRedirect(int port) {
        this.portSuffix = port == 443 ? "" : ":" + port;
    }

    static boolean exempt(String path) {
        return path != null && path.startsWith(ACME_CHALLENGE_PREFIX);
    }

    /**
     * Answers the redirect; false (nothing sent) when the Host is not a plain DNS name, since it
     * goes into the Location the client follows: a wildcard host matches any first label, and a
     * label such as {@code evil/x} must not become a redirect to another site.
     */
    boolean send(HttpServerRequest request, ServerHeader serverHeader) {
        HostAndPort authority = request.authority();
        String host = authority == null ? null : CompiledTable.hostKey(authority.host());
        if (host == null || !isDnsName(host)) return false;
        String query = request.query();
        String location = "https://" + host + portSuffix + request.path() + (query == null ? "" : "?" + query);
        HttpServerResponse response = request.response();
        response.setStatusCode(308);
        response.headers().set(HttpHeaders.LOCATION, location);
        response.headers().set(HttpHeaders.CONTENT_TYPE, ErrorAnswer.TEXT_PLAIN);
        serverHeader.addIfAbsent(response.headers());
        response.end("redirecting to HTTPS\n");
        return true;
    }

    private static boolean isDnsName(String host) {
        if (host.isEmpty()) return false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
        }
        return true;
    }
}
