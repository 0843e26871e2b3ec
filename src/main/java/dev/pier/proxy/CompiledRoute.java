package dev.pier.proxy;

import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.StringMatch;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import dev.pier.model.Regex;

/**
 * One route ready to serve: its non-path conditions, filters, answer, timeouts, retries and meters. Its id and
 * match are read through its model route, not copied (two fields were 8 B per route at 10,000 routes).
 */
final class CompiledRoute {
    final Route route;
    /** Position in its virtual host's route list: lower wins. */
    final int order;
    /** The PREFIX match value (no trailing slash, or "/"), for ReplacePrefixMatch; null for other path types. */
    final String matchedPrefix;
    /** The REGEX path match, compiled once; null for other path types. */
    final Regex pathRegex;
    private final String method;
    private final ValueCondition[] headers;
    private final ValueCondition[] queryParams;
    final CompiledFilter[] filters;
    final CompiledAction action;
    /** Timeouts, body bound and retries: one shared instance for the routes that set none (most do). */
    final Limits limits;
    /**
     * Where {@link #unserved} comes from: the first target's meters, which make the route's {@code none} meters on
     * first use (most routes never need them: a map entry and meters per route were ~100 B each at 10,000 routes),
     * or, for a route without targets, its own.
     */
    private final RouteMeters unservedMeters;
    private final boolean unservedViaTarget;
    /** The backend gets the path as received; matching, filters and the resolver still read the normalised one. */
    final boolean forwardRawPath;
    /** Plain-HTTP requests get a 308 to https:// (ACME challenges excepted). */
    final boolean httpsRedirect;
    /** The Strict-Transport-Security value for HTTPS answers, or null. */
    final CharSequence hsts;

    CompiledRoute(Route route, int order, CompiledFilter[] filters, CompiledAction action, RouteMeters unservedMeters,
                  boolean unservedViaTarget) {
        this.route = route;
        this.order = order;
        RouteMatch match = route.match();
        PathMatch path = match.path();
        this.matchedPrefix = path.type() == PathMatch.Type.PREFIX ? path.value() : null;
        this.pathRegex = path.type() == PathMatch.Type.REGEX ? path.regex() : null;
        this.method = match.method();
        this.headers = conditions(match.headers());
        this.queryParams = conditions(match.queryParams());
        this.filters = filters;
        this.action = action;
        this.limits = Limits.of(route);
        this.unservedMeters = unservedMeters;
        this.unservedViaTarget = unservedViaTarget;
        this.forwardRawPath = route.forwardRawPath();
        this.httpsRedirect = route.https().redirect();
        this.hsts = route.https().hsts() == null ? null : HttpHeaders.createOptimized(route.https().hsts().headerValue());
    }

    /** The route's id: its name in metrics, logs and traces. */
    String id() {
        return route.id();
    }

    /** Meters of the exchanges that reached no Service (a filter answered, a path named none); each target has its own. */
    RouteMeters unserved() {
        return unservedViaTarget ? unservedMeters.unserved() : unservedMeters;
    }

    /** {@link #failedCondition}: every condition holds. */
    static final int MATCHES = -1;
    /** For explain: the path did not match, so no other condition was checked. */
    static final int PATH_DIFFERS = -2;

    /** Strict-Transport-Security on an answer to an HTTPS request (never over plain HTTP: RFC 6797 section 7.2). */
    void addHsts(HttpServerRequest request, MultiMap headers) {
        if (hsts != null && request.isSSL()) headers.set(STRICT_TRANSPORT_SECURITY, hsts);
    }

    private static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("strict-transport-security");

    boolean retryOn(int status) {
        long[] codes = limits.retryOnStatus;
        return status >= 0 && (status >>> 6) < codes.length && (codes[status >>> 6] & (1L << status)) != 0;
    }

    /**
     * A route's timeouts, request body bound and retries, apart from the route: at 10,000 routes these 60 B per
     * route were almost always the defaults, now one shared {@link #NONE}.
     */
    static final class Limits {
        private static final long[] NO_RETRY_STATUS = new long[0];
        static final Limits NONE = new Limits(0, 0, 0, 0, -1, 0, 0, NO_RETRY_STATUS);

        /** Whole-exchange bound in ms, 0 for none. */
        final long requestTimeoutMs;
        /** Per-try bound in ms, 0 for the data plane's default. */
        final long backendTimeoutMs;
        /** Connect bound in ms per try, 0 for the data plane's default. */
        final long connectTimeoutMs;
        /** Websocket idle bound in ms, 0 for the listener's default. */
        final long websocketIdleMs;
        /** Request body bound in bytes, -1 for the listener's default. */
        final long maxRequestBodyBytes;
        final int retries;
        final long retryBackoffMs;
        /** Bit {@code code} set: retry on that status. One long per 64 codes up to the highest one named (none: empty), not a 600-slot table per route. */
        private final long[] retryOnStatus;

        private Limits(long requestTimeoutMs, long backendTimeoutMs, long connectTimeoutMs, long websocketIdleMs,
                       long maxRequestBodyBytes, int retries, long retryBackoffMs, long[] retryOnStatus) {
            this.requestTimeoutMs = requestTimeoutMs;
            this.backendTimeoutMs = backendTimeoutMs;
            this.connectTimeoutMs = connectTimeoutMs;
            this.websocketIdleMs = websocketIdleMs;
            this.maxRequestBodyBytes = maxRequestBodyBytes;
            this.retries = retries;
            this.retryBackoffMs = retryBackoffMs;
            this.retryOnStatus = retryOnStatus;
        }

        static Limits of(Route route) {
            var timeouts = route.timeouts();
            var retry = route.retry();
            int highest = retry.codes().stream().filter(c -> c >= 100 && c < 600).mapToInt(Integer::intValue).max().orElse(-1);
            long[] retryOnStatus = highest < 0 ? NO_RETRY_STATUS : new long[(highest >>> 6) + 1];
            for (int code : retry.codes()) {
                if (code >= 100 && code < 600) retryOnStatus[code >>> 6] |= 1L << code;
            }
            Limits limits = new Limits(millis(timeouts.request()), millis(timeouts.backendRequest()), millis(timeouts.connect()),
                    millis(timeouts.websocketIdle()), route.maxRequestBodyBytes() == null ? -1 : route.maxRequestBodyBytes(),
                    retry.attempts(), retry.backoff().toMillis(), retryOnStatus);
            return limits.isNone() ? NONE : limits;
        }

        private static long millis(java.time.Duration d) {
            return d == null ? 0 : Math.max(1, d.toMillis());
        }

        private boolean isNone() {
            return requestTimeoutMs == 0 && backendTimeoutMs == 0 && connectTimeoutMs == 0 && websocketIdleMs == 0
                    && maxRequestBodyBytes == -1 && retries == 0 && retryBackoffMs == 0 && retryOnStatus.length == 0;
        }
    }

    /**
     * Everything but the path, which the host's matcher already checked: {@link #MATCHES}, or which
     * condition failed (0 the method, then the headers, then the query parameters, in order).
     */
    int failedCondition(MatchInput request) {
        if (method != null && !method.equals(request.method())) return 0;
        for (int i = 0; i < headers.length; i++) {
            ValueCondition c = headers[i];
            if (!c.test(request.header(c.name))) return 1 + i;
        }
        if (queryParams.length > 0) {
            QueryParams params = QueryParams.of(request.query());
            for (int i = 0; i < queryParams.length; i++) {
                ValueCondition c = queryParams[i];
                if (!c.test(params.first(c.name))) return 1 + headers.length + i;
            }
        }
        return MATCHES;
    }

    /** What the condition {@link #failedCondition} named asks for, in words. */
    String describeCondition(int index) {
        if (index == 0) return "method " + method;
        if (index <= headers.length) return "header " + headers[index - 1].describe();
        return "query parameter " + queryParams[index - 1 - headers.length].describe();
    }

    /** The regexes come compiled from translation. */
    private static ValueCondition[] conditions(java.util.List<StringMatch> matches) {
        if (matches.isEmpty()) return NO_CONDITIONS; // shared: two empty arrays per route were 32 B at 10,000 routes
        ValueCondition[] out = new ValueCondition[matches.size()];
        for (int i = 0; i < out.length; i++) {
            StringMatch m = matches.get(i);
            out[i] = new ValueCondition(m.name(), m.value(), m.regex());
        }
        return out;
    }

    private static final ValueCondition[] NO_CONDITIONS = new ValueCondition[0];

    /** A header or query parameter condition: exact value, or a full regex match. */
    private static final class ValueCondition {
        final String name;
        private final String exact;
        private final Regex regex;

        ValueCondition(String name, String exact, Regex regex) {
            this.name = name;
            this.exact = exact;
            this.regex = regex;
        }

        boolean test(String value) {
            if (value == null) return false;
            return regex != null ? regex.matches(value) : exact.equals(value);
        }

        String describe() {
            return name + (regex != null ? " matching regex " + regex.value() : " = " + exact);
        }
    }
}
