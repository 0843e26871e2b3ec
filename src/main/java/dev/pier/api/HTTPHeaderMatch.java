package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Matches a request header by name and value. If it occurs more than once, the first occurrence is
 * compared.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPHeaderMatch {

    @JsonPropertyDescription("How the value is compared. Exact (the default): equal strings. RegularExpression: value"
            + " (RE2 syntax) matches the whole string.")
    @Default("Exact")
    private StringMatchType type;

    @JsonPropertyDescription("The header name, compared case-insensitively.")
    @Required
    @Size(min = 1, max = 256)
    @Pattern(SchemaPatterns.HEADER_NAME)
    private String name;

    @JsonPropertyDescription("The value or pattern to compare with.")
    @Required
    @Size(max = 4096)
    private String value;

    public StringMatchType getType() {
        return type;
    }

    public void setType(StringMatchType type) {
        this.type = type;
    }

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
