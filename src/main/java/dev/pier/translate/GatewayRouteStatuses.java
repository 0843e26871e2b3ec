package dev.pier.translate;

import static dev.pier.api.GatewayRouteConditions.ACCEPTED;
import static dev.pier.api.GatewayRouteConditions.REASON_ACCEPTED;
import static dev.pier.api.GatewayRouteConditions.REASON_INVALID;
import static dev.pier.api.GatewayRouteConditions.REASON_PARTIALLY_INVALID;
import static dev.pier.api.GatewayRouteConditions.REASON_RESOLVED_REFS;
import static dev.pier.api.GatewayRouteConditions.RESOLVED_REFS;

import dev.pier.api.GatewayRoute;
import dev.pier.model.Condition;
import dev.pier.model.Problem;
import java.util.List;

/**
 * The two conditions of a GatewayRoute, computed from its problems and from how many of its rules
 * won a place in the merged table (a rule that lost every match to conflicts serves nothing):
 * Accepted from the Accepted problems and the served rules, ResolvedRefs from the ResolvedRefs problems.
 */
final class GatewayRouteStatuses {
    private GatewayRouteStatuses() {
    }

    /**
     * @param ruleCount   how many rules the route has
     * @param servedRules how many of them have a route in the merged table
     * @param problems    every problem of this route
     */
    static List<Condition> conditions(GatewayRoute route, int ruleCount, int servedRules, List<Problem> problems) {
        long generation = route.getMetadata().getGeneration() == null ? 0 : route.getMetadata().getGeneration();
        List<String> acceptance = texts(problems, ACCEPTED);
        List<Problem> refs = problems.stream().filter(p -> RESOLVED_REFS.equals(p.conditionType())).toList();

        Condition accepted;
        if (servedRules == ruleCount && servedRules > 0) {
            accepted = new Condition(ACCEPTED, "True", REASON_ACCEPTED,
                    acceptance.isEmpty() ? "every rule is served" : String.join("; ", acceptance), generation);
        } else if (servedRules > 0) {
            accepted = new Condition(ACCEPTED, "True", REASON_PARTIALLY_INVALID,
                    (ruleCount - servedRules) + " of " + ruleCount + " rules left out: " + String.join("; ", acceptance), generation);
        } else {
            accepted = new Condition(ACCEPTED, "False", REASON_INVALID,
                    "no rule is served" + (acceptance.isEmpty() ? "" : ": " + String.join("; ", acceptance)), generation);
        }
        Condition resolved = refs.isEmpty()
                ? new Condition(RESOLVED_REFS, "True", REASON_RESOLVED_REFS, "every referenced Service and port exists", generation)
                : new Condition(RESOLVED_REFS, "False", refs.get(0).reason(), String.join("; ", texts(problems, RESOLVED_REFS)), generation);
        return List.of(accepted, resolved);
    }

    private static List<String> texts(List<Problem> problems, String conditionType) {
        return problems.stream().filter(p -> conditionType.equals(p.conditionType())).map(Problem::text).toList();
    }
}
