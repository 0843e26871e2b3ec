package dev.pier.translate;

import dev.pier.model.Route;

/**
 * A route some object claims on one hostname, before hosts are merged and conflicts decided.
 *
 * @param hostname lower-case name, {@code *.domain} wildcard or {@code *}
 * @param field    where the route came from inside its object, e.g. {@code spec.rules[0].http.paths[1]}
 * @param createdAt  its object's {@code metadata.creationTimestamp} ("" if unknown)
 * @param ruleIndex  the rule's index in its object
 * @param matchIndex the path's (Ingress) or match's (GatewayRoute) index in its rule
 * @param deleting whether its object is being deleted (a deletionTimestamp, or its namespace is
 *                 terminating): such a claim never wins a conflict
 */
record RouteClaim(String hostname, Route route, String createdAt, int ruleIndex, int matchIndex, String field,
                  boolean deleting) {

    RouteClaim {
        if (createdAt == null) createdAt = "";
    }

    /**
     * Its precedence key, made when a host's claims are sorted: the translation memo keeps every
     * Ingress's claims, and a key held in each would cost ~40 B per route.
     */
    RoutePrecedence.Key key() {
        return RoutePrecedence.Key.of(route, createdAt, ruleIndex, matchIndex);
    }
}
