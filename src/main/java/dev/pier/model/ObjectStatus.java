package dev.pier.model;

import java.util.List;

/**
 * What translation concluded about one object Pier serves: its conditions (GatewayRoutes; an
 * Ingress has none) and its problems, from which the conditions were computed.
 */
public record ObjectStatus(ObjectRef object, List<Condition> conditions, List<Problem> problems) {
    public ObjectStatus {
        conditions = List.copyOf(conditions);
        problems = List.copyOf(problems);
    }
}
