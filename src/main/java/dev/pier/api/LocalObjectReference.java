package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An object in the route's own namespace, by name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalObjectReference {

    @JsonPropertyDescription("The object's name, in the namespace of the GatewayRoute.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern(SchemaPatterns.HOSTNAME)
    private String name;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
