package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.Route;
import dev.pier.model.ServiceKey;
import java.util.List;

/**
 * Which route a request takes and why, as the data plane's matcher found it: how the host chose a
 * virtual host, every rule of that host with its verdict, the winner's filters, and its backends
 * with the endpoints they have now.
 *
 * @param matchedPath the path as matched, after the data plane's path policy; null when the policy refuses it
 * @param hostStep    {@code exact}, {@code wildcard}, {@code any} (the {@code *} host) or {@code none}
 * @param virtualHost the chosen virtual host's name, or null
 * @param rules       every route of the chosen virtual host, in table order (precedence)
 * @param winner      the route the request takes, or null (404)
 * @param byDefault   whether the winner is the table's default route (no rule of the host matched)
 * @param backends    where the winner sends the request; empty when a filter answers or nothing would
 * @param note        what happens when there is no backend to describe, or null
 */
public record Explanation(ExplainRequest request, String matchedPath, String hostKey, String hostStep, String virtualHost,
                          List<Rule> rules, Route winner, boolean byDefault, List<Backend> backends, String note) {

    /**
     * @param verdict {@code wins}, {@code outranked} (every condition holds, an earlier rule wins),
     *                {@code condition-failed} (the path matches, {@code failed} does not hold) or
     *                {@code path-differs}
     * @param via     how the path index offered it ({@code exact-path}, {@code prefix}, {@code any-path},
     *                {@code regex}); null when it did not
     */
    public record Rule(int order, Route route, String via, String verdict, String failed) {}

    /** @param weight the split weight (1 when there is no split); {@code balancer} its policy */
    public record Backend(ServiceKey service, int weight, String balancer, List<Endpoint> endpoints) {}
}
