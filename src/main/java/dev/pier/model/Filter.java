package dev.pier.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One layer of a route's onion: request sides run in list order, response sides in reverse.
 * Redirects and direct responses answer without a backend.
 */
public sealed interface Filter {

    /** Whether this layer answers the request itself (no backend is asked). */
    default boolean answers() {
        return false;
    }

    /** {@code set} replaces, {@code add} appends, {@code remove} deletes; names are case-insensitive. */
    record HeaderModifier(List<Header> set, List<Header> add, List<String> remove) {
        public HeaderModifier {
            set = List.copyOf(set);
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }
    }

    record RequestHeaderModifier(HeaderModifier modifier) implements Filter {}

    record ResponseHeaderModifier(HeaderModifier modifier) implements Filter {}

    /** Path rewrite: replace the matched prefix, or the whole path. */
    record PathRewrite(Type type, String value) {
        public enum Type { REPLACE_PREFIX_MATCH, REPLACE_FULL_PATH }

        public PathRewrite {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Rewrites the upstream request's host and/or path; null fields are left alone. */
    record UrlRewrite(String hostname, PathRewrite path) implements Filter {}

    /** Answers with a redirect; null fields keep the request's value. */
    record RequestRedirect(String scheme, String hostname, Integer port, PathRewrite path, int statusCode)
            implements Filter {
        public static final Set<Integer> STATUS_CODES = Set.of(301, 302, 303, 307, 308);

        public RequestRedirect {
            if (!STATUS_CODES.contains(statusCode)) throw new IllegalArgumentException("redirect status " + statusCode);
            if (port != null && (port < 1 || port > 65535)) throw new IllegalArgumentException("redirect port " + port);
        }

        @Override
        public boolean answers() {
            return true;
        }
    }

    /** Answers with a fixed status and body. */
    record DirectResponse(int status, String body) implements Filter {
        public DirectResponse {
            if (status < 200 || status > 599) throw new IllegalArgumentException("direct response status " + status);
            Objects.requireNonNull(body, "body");
        }

        @Override
        public boolean answers() {
            return true;
        }
    }
}
