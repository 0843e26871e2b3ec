package dev.pier.translate;

import dev.pier.model.Route;

/**
 * A route some object asks for on one hostname, before hosts are merged.
 *
 * @param hostname lower-case name, {@code *.domain} wildcard or {@code *}
 * @param field    where the route came from inside its object, e.g. {@code rules[0].http.paths[1]}
 */
record HostRoute(String hostname, Route route, RoutePrecedence.Key key, String field) {
}
