package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A request header carried as a CloudEvents extension attribute. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EventExtension {

    @JsonPropertyDescription("The request header (case-insensitive) whose value the extension carries.")
    @Required
    @Size(min = 1, max = 256)
    @Pattern(SchemaPatterns.HEADER_NAME)
    private String header;

    @JsonPropertyDescription("The extension attribute's name: lower-case letters and digits, at most 20, and none of the"
            + " attributes CloudEvents defines (id, source, type, subject, time, ...). Sent as header ce-<name>.")
    @Required
    @Size(min = 1, max = 20)
    @Pattern(SchemaPatterns.CLOUDEVENTS_EXTENSION)
    private String name;

    public String getHeader() {
        return header;
    }

    public void setHeader(String header) {
        this.header = header;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
