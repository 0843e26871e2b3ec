package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What Pier concluded about this route.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayRouteStatus {
    // Shared with SchemaOnly.Status, the stand-in the CRD schema is generated from.
    static final String CONDITIONS_DESCRIPTION = "Accepted: whether the route is served (False when no rule could be used)."
            + " ResolvedRefs: whether every referenced Service and port exists."
            + " Messages name the rule index and field of each problem. Reasons: Accepted, PartiallyInvalid"
            + " (some rules left out) or Invalid for Accepted; ResolvedRefs, BackendNotFound, PortNotFound or"
            + " UnsupportedBackend for ResolvedRefs. CertificateReady (only on a route with an acme: true tls entry):"
            + " whether Pier serves the certificate it orders; Issued or RenewalFailing when True, Pending, HostNotAllowed,"
            + " UnsupportedHost, SecretNotOwned, AcmeNotConfigured or OrderFailed when False.";
    static final String OBSERVED_GENERATION_DESCRIPTION = "The metadata.generation these conditions were computed from.";

    @JsonPropertyDescription(CONDITIONS_DESCRIPTION)
    private List<Condition> conditions;

    @JsonPropertyDescription(OBSERVED_GENERATION_DESCRIPTION)
    private Long observedGeneration;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }
}
