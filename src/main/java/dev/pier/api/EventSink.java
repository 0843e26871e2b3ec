package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Service port that receives events. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EventSink {

    @JsonPropertyDescription("The Service's name, in the resolver's namespace.")
    @Required
    @Size(min = 1, max = 63)
    @Pattern(SchemaPatterns.DNS_LABEL)
    private String name;

    @JsonPropertyDescription("The Service port number (spec.ports[].port). Its appProtocol says how Pier speaks to it.")
    @Required
    @Min(1)
    @Max(65535)
    private Integer port;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }
}
