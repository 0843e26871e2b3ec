package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The scheme a redirect may send the client to. */
public enum RedirectScheme {
    @JsonProperty("http")
    HTTP,
    @JsonProperty("https")
    HTTPS;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
