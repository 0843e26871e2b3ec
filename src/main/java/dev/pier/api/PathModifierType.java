package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a rewrite or redirect replaces the path. */
public enum PathModifierType {
    @JsonProperty("ReplaceFullPath")
    REPLACE_FULL_PATH,
    @JsonProperty("ReplacePrefixMatch")
    REPLACE_PREFIX_MATCH;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
