package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A header name and value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPHeader {

    @JsonPropertyDescription("The header name (case-insensitive).")
    @Required
    @Size(min = 1, max = 256)
    @Pattern(SchemaPatterns.HEADER_NAME)
    private String name;

    @JsonPropertyDescription("The header value.")
    @Required
    @Size(max = 4096)
    private String value;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
