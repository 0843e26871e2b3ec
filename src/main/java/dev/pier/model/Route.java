package dev.pier.model;

import java.util.List;
import java.util.Objects;

/**
 * One match and what to do with it. A GatewayRoute rule with several matches becomes several
 * routes sharing the rest. {@code id} is stable and readable, e.g.
 * {@code ingress/web/shop/rule/0/path/1} or {@code gatewayroute/web/shop/rule/2/match/0}; it names
 * the route in metrics and in {@code /routes}.
 *
 * <p>{@code maxRequestBodyBytes} bounds the request body (413 above it); null means the listener's default.
 *
 * <p>A route that cannot be served is refused here, when it is built: translation reports what it
 * leaves out as problems and never builds such a route, so the data plane compiles every route it
 * is given.
 *
 * <p>{@code forwardRawPath}: the backend gets the path exactly as the client sent it (and an encoded
 * {@code /} or {@code \} is accepted) instead of the normalised one; matching always uses the
 * normalised path. A route that rewrites the path, or a resolver mounted below {@code /}, works on
 * the normalised path, so it cannot forward the raw one.
 */
public record Route(String id, ObjectRef source, RouteMatch match, RouteAction action,
                    List<Filter> filters, Timeouts timeouts, RetryPolicy retry, boolean forwardRawPath,
                    HttpsPolicy https, Long maxRequestBodyBytes) {
    public Route {
        if (maxRequestBodyBytes != null && maxRequestBodyBytes < 0)
            throw new IllegalArgumentException("route " + id + ": negative maxRequestBodyBytes");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(https, "https");
        filters = List.copyOf(filters);
        if (action instanceof RouteAction.NoBackend && filters.stream().noneMatch(Filter::answers)) {
            throw new IllegalArgumentException("route " + id + ": NoBackend needs a RequestRedirect or DirectResponse filter");
        }
        for (Filter f : filters) {
            Filter.PathRewrite rewrite = f instanceof Filter.UrlRewrite u ? u.path()
                    : f instanceof Filter.RequestRedirect r ? r.path() : null;
            if (rewrite != null && rewrite.type() == Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH
                    && match.path().type() != PathMatch.Type.PREFIX) {
                throw new IllegalArgumentException("route " + id + ": ReplacePrefixMatch needs a PREFIX path match");
            }
            if (forwardRawPath && f instanceof Filter.UrlRewrite u && u.path() != null) {
                throw new IllegalArgumentException("route " + id + ": a path rewrite works on the normalised path; it cannot forward the raw one");
            }
        }
        if (forwardRawPath && action instanceof RouteAction.Resolve r && !r.mount().equals("/")) {
            throw new IllegalArgumentException("route " + id + ": a resolver mounted at " + r.mount() + " strips it from the normalised path;"
                    + " it cannot forward the raw one");
        }
    }

    /**
     * A route without an HTTPS policy (what a route is until translation knows whether its host has
     * TLS), forwarding the normalised path unless {@code forwardRawPath}.
     */
    public Route(String id, ObjectRef source, RouteMatch match, RouteAction action,
                 List<Filter> filters, Timeouts timeouts, RetryPolicy retry, boolean forwardRawPath) {
        this(id, source, match, action, filters, timeouts, retry, forwardRawPath, HttpsPolicy.NONE, null);
    }

    /** Without an HTTPS policy, with its own body size limit (null: the listener's). */
    public Route(String id, ObjectRef source, RouteMatch match, RouteAction action, List<Filter> filters,
                 Timeouts timeouts, RetryPolicy retry, boolean forwardRawPath, Long maxRequestBodyBytes) {
        this(id, source, match, action, filters, timeouts, retry, forwardRawPath, HttpsPolicy.NONE, maxRequestBodyBytes);
    }

    /** With the listener's body size limit. */
    public Route(String id, ObjectRef source, RouteMatch match, RouteAction action, List<Filter> filters,
                 Timeouts timeouts, RetryPolicy retry, boolean forwardRawPath, HttpsPolicy https) {
        this(id, source, match, action, filters, timeouts, retry, forwardRawPath, https, null);
    }

    /** A route that forwards the normalised path, without an HTTPS policy. */
    public Route(String id, ObjectRef source, RouteMatch match, RouteAction action,
                 List<Filter> filters, Timeouts timeouts, RetryPolicy retry) {
        this(id, source, match, action, filters, timeouts, retry, false);
    }

    public Route withHttps(HttpsPolicy policy) {
        return new Route(id, source, match, action, filters, timeouts, retry, forwardRawPath, policy, maxRequestBodyBytes);
    }

    /** A plain forwarding route with no filters, timeouts or retries (what an Ingress path gives). */
    public static Route forward(String id, ObjectRef source, RouteMatch match, List<WeightedBackend> backends) {
        return new Route(id, source, match, new RouteAction.Forward(backends), List.of(), Timeouts.NONE, RetryPolicy.NONE);
    }
}
