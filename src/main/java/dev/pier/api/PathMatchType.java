package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a path is compared: the whole path, whole leading segments, or a Java regular expression. */
public enum PathMatchType {
    @JsonProperty("Exact")
    EXACT,
    @JsonProperty("PathPrefix")
    PATH_PREFIX,
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
