package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Where the event handler delivers its CloudEvents, and which request headers they carry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResolverEvent {

    @JsonPropertyDescription("The Service that receives the events (a Knative broker's ingress, or any CloudEvents sink),"
            + " in the resolver's namespace. It gets each event as an HTTP POST in CloudEvents binary mode; a 2xx"
            + " answer counts as accepted.")
    @Required
    private EventSink sink;

    @JsonPropertyDescription("Request headers carried as CloudEvents extension attributes: header X-Tenant with name"
            + " tenant reaches the sink as ce-tenant. A header the request lacks is left out.")
    @Size(max = 16)
    private List<EventExtension> extensions;

    public EventSink getSink() {
        return sink;
    }

    public void setSink(EventSink sink) {
        this.sink = sink;
    }

    public List<EventExtension> getExtensions() {
        return extensions;
    }

    public void setExtensions(List<EventExtension> extensions) {
        this.extensions = extensions;
    }
}
