package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the routes of many objects (Ingress paths, GatewayRoute matches) into virtual hosts. Two routes with the same hostname and
 * the same match conflict: the older object wins, then namespace/name, then the earlier rule;
 * the loser is left out and the conflict is reported on the loser's status.
 */
final class VirtualHostMerger {
    private VirtualHostMerger() {
    }

    /** Who wins a conflict: the older object, then namespace/name, then the earlier rule and path. */
    static final Comparator<HostRoute> CLAIM_ORDER = (a, b) -> {
        int byObject = RoutePrecedence.olderFirst(a.key().createdAt(), a.key().source(), b.key().createdAt(), b.key().source());
        if (byObject != 0) return byObject;
        return Comparator.comparingInt((HostRoute r) -> r.key().ruleIndex())
                .thenComparingInt(r -> r.key().matchIndex()).compare(a, b);
    };

    /** @param problems gets a message for every loser, under the loser's object */
    static List<VirtualHost> merge(List<HostRoute> routes, Map<ObjectRef, List<String>> problems) {
        Map<String, Map<RouteMatch, List<HostRoute>>> byHost = new TreeMap<>();
        for (HostRoute r : routes) {
            byHost.computeIfAbsent(r.hostname(), h -> new LinkedHashMap<>())
                    .computeIfAbsent(r.route().match(), m -> new ArrayList<>()).add(r);
        }
        List<VirtualHost> hosts = new ArrayList<>();
        for (var host : byHost.entrySet()) {
            List<HostRoute> kept = new ArrayList<>();
            for (List<HostRoute> claims : host.getValue().values()) {
                claims.sort(CLAIM_ORDER);
                HostRoute winner = claims.get(0);
                kept.add(winner);
                for (HostRoute loser : claims.subList(1, claims.size())) {
                    problems.computeIfAbsent(loser.route().source(), k -> new ArrayList<>())
                            .add(conflict(host.getKey(), loser, winner));
                }
            }
            kept.sort(Comparator.comparing(HostRoute::key, RoutePrecedence.INSTANCE));
            hosts.add(new VirtualHost(host.getKey(), kept.stream().map(HostRoute::route).toList()));
        }
        return hosts;
    }

    private static String conflict(String host, HostRoute loser, HostRoute winner) {
        ObjectRef w = winner.route().source();
        String why;
        if (w.equals(loser.route().source())) {
            why = "it comes first in the same object";
        } else if (!winner.key().createdAt().equals(loser.key().createdAt())) {
            why = w + " is older";
        } else {
            why = w + " sorts first by namespace/name (same creationTimestamp)";
        }
        RouteMatch match = loser.route().match();
        boolean ingress = IngressRoutes.KIND.equals(loser.route().source().kind());
        return loser.field() + ": host \"" + host + "\" " + describe(match)
                + " is also claimed by " + w + " " + winner.field() + ", which wins because " + why
                + (ingress ? "; this path is left out" : "; this match is left out");
    }

    /** {@code path PREFIX "/a"}, then method, headers and query parameters when a match has them. */
    static String describe(RouteMatch match) {
        StringBuilder sb = new StringBuilder("path " + match.path().type() + " \"" + match.path().value() + "\"");
        if (match.method() != null) sb.append(" method ").append(match.method());
        for (var h : match.headers()) sb.append(" header ").append(h.name()).append(' ').append(h.type()).append(" \"").append(h.value()).append('"');
        for (var q : match.queryParams()) sb.append(" query ").append(q.name()).append(' ').append(q.type()).append(" \"").append(q.value()).append('"');
        return sb.toString();
    }
}
