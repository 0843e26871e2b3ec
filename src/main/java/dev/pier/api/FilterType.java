package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kind of a filter; the field of the same name (lower camel case) holds its settings. */
public enum FilterType {
    @JsonProperty("RequestHeaderModifier")
    REQUEST_HEADER_MODIFIER,
    @JsonProperty("ResponseHeaderModifier")
    RESPONSE_HEADER_MODIFIER,
    @JsonProperty("URLRewrite")
    URL_REWRITE,
    @JsonProperty("RequestRedirect")
    REQUEST_REDIRECT,
    @JsonProperty("DirectResponse")
    DIRECT_RESPONSE;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
