package dev.pier.model;

import java.util.List;

/**
 * One match and what to do with it. A GatewayRoute rule with several matches becomes several
 * routes sharing the rest. {@code id} is stable and readable, e.g.
 * {@code ingress/web/shop/rule/0/path/1} or {@code gatewayroute/web/shop/rule/2/match/0}; it names
 * the route in metrics and in {@code /routes}.
 */
public record Route(String id, ObjectRef source, RouteMatch match, RouteAction action,
                    List<Filter> filters, Timeouts timeouts, RetryPolicy retry) {
    public Route {
        filters = List.copyOf(filters);
    }

    /** A plain forwarding route with no filters, timeouts or retries (what an Ingress path gives). */
    public static Route forward(String id, ObjectRef source, RouteMatch match, List<WeightedBackend> backends) {
        return new Route(id, source, match, new RouteAction.Forward(backends), List.of(), Timeouts.NONE, RetryPolicy.NONE);
    }
}
