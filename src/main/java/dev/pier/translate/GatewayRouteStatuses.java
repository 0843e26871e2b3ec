package dev.pier.translate;

import static dev.pier.api.GatewayRouteConditions.ACCEPTED;
import static dev.pier.api.GatewayRouteConditions.CERTIFICATE_READY;
import static dev.pier.api.GatewayRouteConditions.REASON_ISSUED;
import static dev.pier.api.GatewayRouteConditions.REASON_PENDING;
import static dev.pier.api.GatewayRouteConditions.REASON_RENEWAL_FAILING;
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
 * The conditions of a GatewayRoute (CertificateReady only when it asks for ACME certificates), computed from its problems and from how many of its rules
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
    static List<Condition> conditions(GatewayRoute route, int ruleCount, int servedRules, List<Problem> problems,
                                      List<AcmeRequest> acme) {
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
        if (acme == null || acme.isEmpty()) return List.of(accepted, resolved);
        return List.of(accepted, resolved, certificateReady(problems, acme, generation));
    }

    /**
     * CertificateReady, only for a route with ACME entries: False with the first refusal or failure
     * (a CertificateReady problem), else False while one is still pending, else True.
     */
    private static Condition certificateReady(List<Problem> problems, List<AcmeRequest> acme, long generation) {
        List<Problem> refusals = problems.stream().filter(p -> CERTIFICATE_READY.equals(p.conditionType())).toList();
        if (!refusals.isEmpty()) {
            return new Condition(CERTIFICATE_READY, "False", refusals.get(0).reason(),
                    String.join("; ", texts(problems, CERTIFICATE_READY)), generation);
        }
        List<AcmeRequest> pending = acme.stream().filter(a -> !a.ready()).toList();
        if (!pending.isEmpty()) {
            return new Condition(CERTIFICATE_READY, "False", REASON_PENDING,
                    String.join("; ", pending.stream().map(AcmeRequest::message).toList()), generation);
        }
        boolean failing = acme.stream().anyMatch(a -> REASON_RENEWAL_FAILING.equals(a.reason()));
        return new Condition(CERTIFICATE_READY, "True", failing ? REASON_RENEWAL_FAILING : REASON_ISSUED,
                String.join("; ", acme.stream().map(AcmeRequest::message).toList()), generation);
    }

    private static List<String> texts(List<Problem> problems, String conditionType) {
        return problems.stream().filter(p -> conditionType.equals(p.conditionType())).map(Problem::text).toList();
    }
}
