package dev.pier.model;

import java.util.List;

/**
 * What translation concluded about one object: its conditions, and for Ingresses the problems
 * (conflicts, missing Services) as messages naming the rule and field.
 */
public record ObjectStatus(ObjectRef object, List<Condition> conditions, List<String> problems) {
    public ObjectStatus {
        conditions = List.copyOf(conditions);
        problems = List.copyOf(problems);
    }
}
