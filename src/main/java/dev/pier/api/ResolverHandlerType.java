package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a resolver does with a request once the path named a Service: the Micro API gateway's handlers. */
public enum ResolverHandlerType {
    /** Forward the request to the Service (the default). */
    @JsonProperty("http")
    HTTP,
    /** Micro's name for forwarding with websockets: the same as http, which forwards websockets too. */
    @JsonProperty("web")
    WEB,
    /** Call the gRPC method the path names with the JSON body, found by server reflection. */
    @JsonProperty("rpc")
    RPC,
    /** Publish POST /topic/event as a CloudEvent to the rule's sink Service. */
    @JsonProperty("event")
    EVENT;

    /** The name as written in YAML. */
    public String wireName() {
        try {
            return getDeclaringClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
