package dev.pier.translate;

import dev.pier.model.Route;

/**
 * A route some object claims on one hostname, before hosts are merged and conflicts decided.
 *
 * @param hostname lower-case name, {@code *.domain} wildcard or {@code *}
 * @param field    where the route came from inside its object, e.g. {@code spec.rules[0].http.paths[1]}
 * @param deleting whether its object is being deleted (a deletionTimestamp, or its namespace is
 *                 terminating): such a claim never wins a conflict
 */
record RouteClaim(String hostname, Route route, RoutePrecedence.Key key, String field, boolean deleting) {
}
