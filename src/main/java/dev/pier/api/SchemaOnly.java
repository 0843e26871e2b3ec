package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;
import java.util.Map;

/**
 * Schema stand-ins for fabric8 model types whose generated schema has no descriptions
 * ({@code @SchemaFrom} points at these); the fields keep the fabric8 types. Never instantiated.
 */
final class SchemaOnly {
    private SchemaOnly() {
    }

    /** Mirrors {@link GatewayRouteStatus}, whose conditions are fabric8's. */
    static final class Status {
        @JsonProperty
        @JsonPropertyDescription(GatewayRouteStatus.CONDITIONS_DESCRIPTION)
        public List<Condition> conditions;

        @JsonProperty
        @JsonPropertyDescription(GatewayRouteStatus.OBSERVED_GENERATION_DESCRIPTION)
        public Long observedGeneration;
    }

    /** Mirrors {@link io.fabric8.kubernetes.api.model.Condition}. */
    static final class Condition {
        @JsonProperty
        @Required
        @JsonPropertyDescription("The aspect this condition is about: Accepted or ResolvedRefs.")
        public String type;

        @JsonProperty
        @Required
        @JsonPropertyDescription("True, False or Unknown.")
        public ConditionStatus status;

        @JsonProperty
        @JsonPropertyDescription("A CamelCase word saying why, e.g. Accepted, PartiallyInvalid, BackendNotFound.")
        public String reason;

        @JsonProperty
        @JsonPropertyDescription("What Pier found, naming the rule index and field of each problem, e.g."
                + " 'rules[1].backendRefs[0]: Service cart-next not found'.")
        public String message;

        @JsonProperty
        @JsonPropertyDescription("When status last changed (RFC 3339).")
        public String lastTransitionTime;

        @JsonProperty
        @JsonPropertyDescription("The metadata.generation this condition was computed from.")
        public Long observedGeneration;
    }

    enum ConditionStatus {
        @JsonProperty("True") TRUE,
        @JsonProperty("False") FALSE,
        @JsonProperty("Unknown") UNKNOWN
    }

    /** Mirrors {@link io.fabric8.kubernetes.api.model.LabelSelector}. */
    static final class LabelSelector {
        @JsonProperty
        @JsonPropertyDescription("Labels a Service must all have, as key: value pairs.")
        public Map<String, String> matchLabels;

        @JsonProperty
        @JsonPropertyDescription("Further requirements on a Service's labels, all of which must hold.")
        public List<LabelSelectorRequirement> matchExpressions;
    }

    static final class LabelSelectorRequirement {
        @JsonProperty
        @Required
        @JsonPropertyDescription("The label key.")
        public String key;

        @JsonProperty
        @Required
        @JsonPropertyDescription("In or NotIn (the label's value is or is not one of values), Exists or DoesNotExist (values"
                + " must be empty).")
        public SelectorOperator operator;

        @JsonProperty
        @JsonPropertyDescription("The values for In and NotIn.")
        public List<String> values;
    }

    enum SelectorOperator { In, NotIn, Exists, DoesNotExist }
}
