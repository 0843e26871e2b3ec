package dev.pier.translate;

import dev.pier.model.Route;

/**
 * A route some object claims on one hostname, before hosts are merged and conflicts decided. The translation memo
 * keeps every Ingress's claims, so a claim is 32 B: its field name is made when asked for (a conflict message), from
 * its object's kind and its rule and match index, and the two flags share the index fields.
 */
final class RouteClaim {
    private final String hostname;
    private final Route route;
    private final String createdAt;
    /** The rule's index, shifted left once; the low bit set when its object is being deleted. */
    private final int rule;
    /** The path's or match's index, shifted left once; the low bit set for a GatewayRoute resolver rule. */
    private final int match;

    /**
     * @param hostname   lower-case name, {@code *.domain} wildcard or {@code *}
     * @param createdAt  its object's {@code metadata.creationTimestamp} (null or "" if unknown)
     * @param ruleIndex  the rule's index in its object
     * @param matchIndex the path's (Ingress) or match's (GatewayRoute) index in its rule
     * @param resolver   a GatewayRoute rule's resolver: its field is the rule's {@code resolver}, not a match
     * @param deleting   whether its object is being deleted (a deletionTimestamp, or its namespace is
     *                   terminating): such a claim never wins a conflict
     */
    RouteClaim(String hostname, Route route, String createdAt, int ruleIndex, int matchIndex, boolean resolver,
               boolean deleting) {
        if (ruleIndex < 0 || matchIndex < 0 || ruleIndex > Integer.MAX_VALUE >> 1 || matchIndex > Integer.MAX_VALUE >> 1) {
            throw new IllegalArgumentException("rule " + ruleIndex + ", match " + matchIndex + ": out of range");
        }
        this.hostname = hostname;
        this.route = route;
        this.createdAt = createdAt == null ? "" : createdAt;
        this.rule = ruleIndex << 1 | (deleting ? 1 : 0);
        this.match = matchIndex << 1 | (resolver ? 1 : 0);
    }

    String hostname() {
        return hostname;
    }

    Route route() {
        return route;
    }

    String createdAt() {
        return createdAt;
    }

    int ruleIndex() {
        return rule >>> 1;
    }

    int matchIndex() {
        return match >>> 1;
    }

    boolean deleting() {
        return (rule & 1) != 0;
    }

    /** Where the route came from inside its object, e.g. {@code spec.rules[0].http.paths[1]}. */
    String field() {
        if (IngressRoutes.KIND.equals(route.source().kind())) return IngressRoutes.pathField(ruleIndex(), matchIndex());
        String rule = "spec.rules[" + ruleIndex() + "]";
        return (match & 1) != 0 ? rule + ".resolver" : rule + ".matches[" + matchIndex() + "]";
    }

    /**
     * Its precedence key, made when a host's claims are sorted: the translation memo keeps every
     * Ingress's claims, and a key held in each would cost ~40 B per route.
     */
    RoutePrecedence.Key key() {
        return RoutePrecedence.Key.of(route, createdAt, ruleIndex(), matchIndex());
    }
}
