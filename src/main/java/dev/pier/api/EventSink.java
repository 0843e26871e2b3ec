package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
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

    @JsonPropertyDescription("The request path events are POSTed to, e.g. /default/default for a Knative broker's ingress."
            + " Default: /.")
    @Default("/")
    @Size(min = 1, max = 1024)
    @Pattern(SchemaPatterns.SINK_PATH)
    private String path;

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

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
