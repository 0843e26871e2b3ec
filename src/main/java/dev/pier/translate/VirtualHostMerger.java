package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the route claims of many objects (Ingress paths, GatewayRoute matches) into virtual hosts.
 * Two claims with the same hostname and the same match conflict: a claim of an object being deleted
 * loses, then the older object wins, then namespace/name, then the earlier rule; the loser is left
 * out and the conflict is reported as a problem of the loser's object.
 */
final class VirtualHostMerger {
    private VirtualHostMerger() {
    }

    /** A rule of an object, by its index in the object. */
    record Rule(ObjectRef object, int index) {
    }

    /**
     * The merged hosts, and every rule with at least one route in them (the winners), from which
     * statuses say which rules are served.
     */
    record Merged(List<VirtualHost> hosts, Set<Rule> servedRules) {
    }

    /** Who wins a conflict: not being deleted, then the older object, then namespace/name, then the earlier rule and path. */
    static final Comparator<RouteClaim> CLAIM_ORDER = (a, b) -> {
        if (a.deleting() != b.deleting()) return a.deleting() ? 1 : -1;
        int byObject = RoutePrecedence.olderFirst(a.createdAt(), a.route().source(), b.createdAt(), b.route().source());
        if (byObject != 0) return byObject;
        return Comparator.comparingInt(RouteClaim::ruleIndex).thenComparingInt(RouteClaim::matchIndex).compare(a, b);
    };

    /** A claim that lost a conflict, as its object's problem says it. */
    record Conflict(ObjectRef object, String field, String message) {
    }

    /**
     * One host merged from its claims: the host, the claims that won, and the losers' conflicts. The
     * memo keeps one per host, most with a single claim, so that claim is held alone (no list) and is
     * then also the winner; served rules are made from the winners when asked.
     */
    static final class MergedHost {
        private final Object claims;
        private final VirtualHost host;
        private final List<RouteClaim> winners;
        private final List<Conflict> conflicts;

        MergedHost(List<RouteClaim> claims, VirtualHost host, List<RouteClaim> winners, List<Conflict> conflicts) {
            boolean single = claims.size() == 1 && winners.size() == 1 && conflicts.isEmpty();
            this.claims = single ? claims.get(0) : List.copyOf(claims);
            this.host = host;
            this.winners = single ? null : List.copyOf(winners);
            this.conflicts = single ? List.of() : List.copyOf(conflicts);
        }

        private MergedHost(RouteClaim claim, VirtualHost host) {
            this.claims = claim;
            this.host = host;
            this.winners = null;
            this.conflicts = List.of();
        }

        /** The merge of a host's only claim, made into {@code host}. */
        static MergedHost single(RouteClaim claim, VirtualHost host) {
            return new MergedHost(claim, host);
        }

        VirtualHost host() {
            return host;
        }

        List<Conflict> conflicts() {
            return conflicts;
        }

        /** Whether these are its claims: the same instances in the same order. */
        boolean madeFrom(List<RouteClaim> others) {
            if (claims instanceof RouteClaim c) return others.size() == 1 && others.get(0) == c;
            List<?> own = (List<?>) claims;
            if (own.size() != others.size()) return false;
            for (int i = 0; i < own.size(); i++) {
                if (own.get(i) != others.get(i)) return false;
            }
            return true;
        }

        /** The rules with a route in this host. */
        void addServed(Set<Rule> out) {
            if (winners == null) {
                RouteClaim c = (RouteClaim) claims;
                out.add(new Rule(c.route().source(), c.ruleIndex()));
            } else {
                for (RouteClaim c : winners) out.add(new Rule(c.route().source(), c.ruleIndex()));
            }
        }
    }

    /**
     * @param problems gets a {@link dev.pier.model.Problem#CONFLICTED} problem for every loser, under the loser's object
     * @param memo     gives back the last translation's merged host where its claims are the same instances
     */
    static Merged merge(List<RouteClaim> claims, Map<ObjectRef, ObjectProblems> problems, TranslationMemo memo) {
        Map<String, List<RouteClaim>> byHost = new HashMap<>();
        for (RouteClaim c : claims) byHost.computeIfAbsent(c.hostname(), h -> new ArrayList<>(1)).add(c);
        List<String> names = new ArrayList<>(byHost.keySet());
        names.sort(null);
        List<VirtualHost> hosts = new ArrayList<>(names.size());
        Set<Rule> served = new LinkedHashSet<>();
        for (String name : names) {
            MergedHost merged = memo.mergedHost(name, byHost.get(name), VirtualHostMerger::mergeHost);
            hosts.add(merged.host());
            merged.addServed(served);
            for (Conflict c : merged.conflicts()) problems.computeIfAbsent(c.object(), ObjectProblems::new).conflicted(c.field(), c.message());
        }
        return new Merged(hosts, served);
    }

    /** The host of one name from its claims (in the order objects were translated). */
    private static MergedHost mergeHost(String hostname, List<RouteClaim> claims, TranslationMemo memo) {
        Map<RouteMatch, List<RouteClaim>> byMatch = new LinkedHashMap<>();
        for (RouteClaim c : claims) byMatch.computeIfAbsent(c.route().match(), m -> new ArrayList<>(1)).add(c);
        List<RouteClaim> kept = new ArrayList<>(byMatch.size());
        List<RouteClaim> winners = new ArrayList<>(byMatch.size());
        List<Conflict> conflicts = new ArrayList<>();
        for (List<RouteClaim> rivals : byMatch.values()) {
            rivals.sort(CLAIM_ORDER);
            RouteClaim winner = rivals.get(0);
            kept.add(winner);
            winners.add(winner);
            for (RouteClaim loser : rivals.subList(1, rivals.size())) {
                conflicts.add(new Conflict(loser.route().source(), loser.field(), conflict(hostname, loser, winner)));
            }
        }
        kept.sort(Comparator.comparing(RouteClaim::key, RoutePrecedence.INSTANCE));
        List<Route> routes = new ArrayList<>(kept.size());
        for (RouteClaim c : kept) routes.add(c.route());
        return new MergedHost(claims, memo.host(hostname, routes), winners, conflicts);
    }

    private static String conflict(String host, RouteClaim loser, RouteClaim winner) {
        ObjectRef w = winner.route().source();
        String why;
        if (w.equals(loser.route().source())) {
            why = "it comes first in the same object";
        } else if (loser.deleting() && !winner.deleting()) {
            why = "this object is being deleted";
        } else if (!winner.createdAt().equals(loser.createdAt())) {
            why = w + " is older";
        } else {
            why = w + " sorts first by namespace/name (same creationTimestamp)";
        }
        RouteMatch match = loser.route().match();
        boolean ingress = IngressRoutes.KIND.equals(loser.route().source().kind());
        return "host \"" + host + "\" " + describe(match)
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
