package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The HTTP methods a match may name. */
public enum HTTPMethod {
    @JsonProperty("GET")
    GET,
    @JsonProperty("HEAD")
    HEAD,
    @JsonProperty("POST")
    POST,
    @JsonProperty("PUT")
    PUT,
    @JsonProperty("DELETE")
    DELETE,
    @JsonProperty("CONNECT")
    CONNECT,
    @JsonProperty("OPTIONS")
    OPTIONS,
    @JsonProperty("TRACE")
    TRACE,
    @JsonProperty("PATCH")
    PATCH;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
