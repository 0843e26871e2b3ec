package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a header or query parameter value is compared. */
public enum StringMatchType {
    @JsonProperty("Exact")
    EXACT,
    @JsonProperty("RegularExpression")
    REGULAR_EXPRESSION;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
