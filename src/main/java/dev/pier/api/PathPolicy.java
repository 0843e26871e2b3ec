package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which path a rule's backends get. Matching always uses the normalised path (docs/security.md,
 * "Path policy"); this only chooses what is forwarded.
 */
public enum PathPolicy {
    /** The normalised path that was matched (the default). */
    @JsonProperty("Normalize")
    NORMALIZE,
    /** The path exactly as the client sent it; an encoded / or \ is accepted. */
    @JsonProperty("ForwardRaw")
    FORWARD_RAW;

    /** The name as written in YAML and in the Ingress annotation. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
