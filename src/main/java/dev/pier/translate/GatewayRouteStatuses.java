package dev.pier.translate;

import static dev.pier.api.GatewayRouteConditions.ACCEPTED;
import static dev.pier.api.GatewayRouteConditions.REASON_ACCEPTED;
import static dev.pier.api.GatewayRouteConditions.REASON_INVALID;
import static dev.pier.api.GatewayRouteConditions.REASON_PARTIALLY_INVALID;
import static dev.pier.api.GatewayRouteConditions.REASON_RESOLVED_REFS;
import static dev.pier.api.GatewayRouteConditions.RESOLVED_REFS;

import dev.pier.api.GatewayRoute;
import dev.pier.model.Condition;
import dev.pier.model.ObjectRef;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The two conditions of a GatewayRoute, decided after hosts are merged, because a rule that lost
 * every match to conflicts serves nothing. A rule counts as served when at least one of its routes
 * is in the table.
 */
final class GatewayRouteStatuses {
    private GatewayRouteStatuses() {
    }

    /**
     * @param servedRules the rule-id prefixes ({@code gatewayroute/ns/name/rule/i/}) of every rule with a route in the merged table
     * @param problems  every problem reported on this route (invalid rules, refs, lost conflicts)
     */
    static List<Condition> conditions(GatewayRoute route, GatewayRouteRoutes.Outcome outcome, Set<String> servedRules,
                                      List<String> problems) {
        long generation = route.getMetadata().getGeneration() == null ? 0 : route.getMetadata().getGeneration();
        ObjectRef ref = GatewayRouteRoutes.ref(route);
        int served = 0;
        for (int i = 0; i < outcome.ruleCount(); i++) {
            String prefix = GatewayRouteRoutes.ruleIdPrefix(ref, i);
            if (servedRules.contains(prefix)) served++;
        }
        Set<String> refMessages = new HashSet<>();
        outcome.refs().forEach(r -> refMessages.add(r.message()));
        List<String> acceptance = problems.stream().filter(p -> !refMessages.contains(p)).toList();

        Condition accepted;
        if (served == outcome.ruleCount() && served > 0) {
            accepted = new Condition(ACCEPTED, "True", REASON_ACCEPTED,
                    acceptance.isEmpty() ? "every rule is served" : String.join("; ", acceptance), generation);
        } else if (served > 0) {
            accepted = new Condition(ACCEPTED, "True", REASON_PARTIALLY_INVALID,
                    (outcome.ruleCount() - served) + " of " + outcome.ruleCount() + " rules left out: "
                            + String.join("; ", acceptance), generation);
        } else {
            accepted = new Condition(ACCEPTED, "False", REASON_INVALID,
                    "no rule is served" + (acceptance.isEmpty() ? "" : ": " + String.join("; ", acceptance)), generation);
        }
        Condition resolved = outcome.refs().isEmpty()
                ? new Condition(RESOLVED_REFS, "True", REASON_RESOLVED_REFS, "every referenced Service and port exists", generation)
                : new Condition(RESOLVED_REFS, "False", outcome.refs().get(0).reason(),
                String.join("; ", outcome.refs().stream().map(GatewayRouteRoutes.RefProblem::message).toList()), generation);
        return List.of(accepted, resolved);
    }
}
