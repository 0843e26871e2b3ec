package dev.pier.proxy;

import dev.pier.model.Filter;
import dev.pier.model.Header;
import io.vertx.core.MultiMap;
import io.vertx.core.net.HostAndPort;

/**
 * One layer of a route's onion. The chain runs {@link #onRequest} in order and {@link #onResponse}
 * in reverse; a layer that answers the request itself stops the chain, and only the layers before
 * it see the answer on the way out.
 */
interface CompiledFilter {

    /** @return true when this layer answered (it called {@link Exchange#answerLocally}) */
    default boolean onRequest(Exchange exchange) {
        return false;
    }

    /** Edits the response head before it goes downstream. */
    default void onResponse(Exchange exchange, MultiMap responseHeaders) {
    }

    static CompiledFilter compile(Filter filter, CompiledRoute route) {
        if (filter instanceof Filter.RequestHeaderModifier f) return new RequestHeaders(new HeaderEdits(f.modifier()));
        if (filter instanceof Filter.ResponseHeaderModifier f) return new ResponseHeaders(new HeaderEdits(f.modifier()));
        if (filter instanceof Filter.UrlRewrite f) return new UrlRewrite(f, route);
        if (filter instanceof Filter.RequestRedirect f) return new Redirect(f, route);
        if (filter instanceof Filter.DirectResponse f) return new DirectResponse(f);
        throw new IllegalArgumentException("route " + route.id() + ": unknown filter " + filter);
    }

    /** Set replaces, add appends, remove deletes; MultiMap names compare case-insensitively. */
    final class HeaderEdits {
        private final Header[] set;
        private final Header[] add;
        private final String[] remove;

        HeaderEdits(Filter.HeaderModifier m) {
            this.set = m.set().toArray(Header[]::new);
            this.add = m.add().toArray(Header[]::new);
            this.remove = m.remove().toArray(String[]::new);
        }

        void apply(MultiMap headers) {
            for (Header h : set) headers.set(h.name(), h.value());
            for (Header h : add) headers.add(h.name(), h.value());
            for (String name : remove) headers.remove(name);
        }
    }

    record RequestHeaders(HeaderEdits edits) implements CompiledFilter {
        @Override
        public boolean onRequest(Exchange exchange) {
            edits.apply(exchange.upstream().headers());
            return false;
        }
    }

    record ResponseHeaders(HeaderEdits edits) implements CompiledFilter {
        @Override
        public void onResponse(Exchange exchange, MultiMap responseHeaders) {
            edits.apply(responseHeaders);
        }
    }

    /** Replaces the matched prefix or the whole path; nulls leave a part alone. */
    final class PathRewriter {
        private final Filter.PathRewrite.Type type;
        private final String value;
        private final String matchedPrefix;

        /** A ReplacePrefixMatch route has a PREFIX match: the model refuses any other. */
        PathRewriter(Filter.PathRewrite rewrite, CompiledRoute route) {
            this.type = rewrite.type();
            this.value = rewrite.value();
            this.matchedPrefix = route.matchedPrefix;
        }

        String rewrite(String path) {
            if (type == Filter.PathRewrite.Type.REPLACE_FULL_PATH) return value;
            if (!path.startsWith(matchedPrefix)) return path;
            String rest = matchedPrefix.equals("/") ? path : path.substring(matchedPrefix.length());
            if (rest.isEmpty()) return value.isEmpty() ? "/" : value;
            // rest starts with "/" here: "/foo" + "/x" must not become "//x" when the value is "/".
            String base = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            String out = base + rest;
            return out.isEmpty() ? "/" : out;
        }
    }

    final class UrlRewrite implements CompiledFilter {
        private final HostAndPort authority;
        private final PathRewriter path;

        UrlRewrite(Filter.UrlRewrite f, CompiledRoute route) {
            this.authority = f.hostname() == null ? null : HostAndPort.create(f.hostname(), -1);
            this.path = f.path() == null ? null : new PathRewriter(f.path(), route);
        }

        @Override
        public boolean onRequest(Exchange exchange) {
            if (authority != null) exchange.upstream().authority(authority);
            if (path != null) exchange.upstream().path(path.rewrite(exchange.upstream().path()));
            return false;
        }
    }

    final class Redirect implements CompiledFilter {
        private final String scheme;
        private final String hostname;
        private final Integer port;
        private final PathRewriter path;
        private final int status;

        Redirect(Filter.RequestRedirect f, CompiledRoute route) {
            this.scheme = f.scheme();
            this.hostname = f.hostname();
            this.port = f.port();
            this.path = f.path() == null ? null : new PathRewriter(f.path(), route);
            this.status = f.statusCode();
        }

        @Override
        public boolean onRequest(Exchange exchange) {
            var request = exchange.request;
            String s = scheme != null ? scheme : request.scheme();
            HostAndPort requested = request.authority();
            String h = hostname != null ? hostname : requested == null ? "" : requested.host();
            // A new scheme without a port means that scheme's well-known port (Gateway API rule).
            int p = port != null ? port : scheme != null ? -1 : requested == null ? -1 : requested.port();
            if (("http".equals(s) && p == 80) || ("https".equals(s) && p == 443)) p = -1;
            String reqPath = exchange.path;
            String newPath = path == null ? reqPath : path.rewrite(reqPath);
            String query = request.query();
            StringBuilder location = new StringBuilder(64).append(s).append("://").append(h);
            if (p > 0) location.append(':').append(p);
            location.append(newPath);
            if (query != null && !query.isEmpty()) location.append('?').append(query);
            exchange.answerLocally(status, location.toString(), null);
            return true;
        }
    }

    record DirectResponse(Filter.DirectResponse spec) implements CompiledFilter {
        @Override
        public boolean onRequest(Exchange exchange) {
            exchange.answerLocally(spec.status(), null, spec.body());
            return true;
        }
    }
}
