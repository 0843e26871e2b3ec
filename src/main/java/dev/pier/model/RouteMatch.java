package dev.pier.model;

import java.util.List;

/**
 * All conditions must hold. {@code method} is null for any method.
 * Header names are stored lower-case.
 */
public record RouteMatch(PathMatch path, String method, List<StringMatch> headers, List<StringMatch> queryParams) {
    public RouteMatch {
        headers = List.copyOf(headers);
        queryParams = List.copyOf(queryParams);
    }

    public static RouteMatch path(PathMatch path) {
        return new RouteMatch(path, null, List.of(), List.of());
    }
}
