package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A Service in the route's own namespace that receives a share of the rule's requests.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPBackendRef {

    /** The weight a backend has when none is written. */
    public static final int DEFAULT_WEIGHT = 1;

    @JsonPropertyDescription("The name of the Service, in the namespace of the GatewayRoute.")
    @Required
    @Size(min = 1, max = 63)
    @Pattern(SchemaPatterns.DNS_LABEL)
    private String name;

    @JsonPropertyDescription("The Service's namespace. Only the GatewayRoute's own namespace is allowed (a route may not"
            + " send traffic into another team's namespace); a rule naming another is rejected. Default: the"
            + " namespace of the GatewayRoute.")
    @Size(min = 1, max = 63)
    @Pattern(SchemaPatterns.DNS_LABEL_1123)
    private String namespace;

    @JsonPropertyDescription("The Service port number (spec.ports[].port) to send to.")
    @Required
    @Min(1)
    @Max(65535)
    private Integer port;

    @JsonPropertyDescription("This backend's share of the rule's requests, relative to the other backends' weights (smooth"
            + " weighted round-robin). 0 sends it nothing. Default: 1.")
    @Default("1")
    @Min(0)
    @Max(1000000)
    private Integer weight;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public Integer getWeight() {
        return weight;
    }

    public void setWeight(Integer weight) {
        this.weight = weight;
    }
}
