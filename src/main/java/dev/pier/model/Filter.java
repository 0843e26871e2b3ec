package dev.pier.model;

import java.util.List;

/**
 * One layer of a route's onion: request sides run in list order, response sides in reverse.
 * Redirects and direct responses answer without a backend.
 */
public sealed interface Filter {

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
    }

    /** Rewrites the upstream request's host and/or path; null fields are left alone. */
    record UrlRewrite(String hostname, PathRewrite path) implements Filter {}

    /** Answers with a redirect; null fields keep the request's value. */
    record RequestRedirect(String scheme, String hostname, Integer port, PathRewrite path, int statusCode)
            implements Filter {}

    /** Answers with a fixed status and body. */
    record DirectResponse(int status, String body) implements Filter {}
}
