package dev.pier.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * What route matching reads from a request. The data plane hands it each request through one
 * reused {@link ServerRequest} per event loop; {@code explain} hands it a request described on a
 * command line or a URL. Both go through the same {@link CompiledTable#select}.
 */
interface MatchInput {
    /** The Host / :authority without port, as sent; null when there is none. */
    String host();

    /** The path without the query, normalised by {@link PathNormalizer} (what the data plane matches). */
    String path();

    String method();

    /** The first value of a header (case-insensitive name), or null. */
    String header(String name);

    /** The raw query string, or null. */
    String query();

    /** One event loop's view of the request being matched; set before matching, cleared after. */
    final class ServerRequest implements MatchInput {
        private HttpServerRequest request;
        private String path;

        ServerRequest of(HttpServerRequest request, String normalisedPath) {
            this.request = request;
            this.path = normalisedPath;
            return this;
        }

        void clear() {
            request = null;
            path = null;
        }

        @Override
        public String host() {
            HostAndPort authority = request.authority();
            return authority == null ? null : authority.host();
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String method() {
            return request.method().name();
        }

        @Override
        public String header(String name) {
            return request.getHeader(name);
        }

        @Override
        public String query() {
            return request.query();
        }
    }
}
