package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Matches the request path. Without a path match, a match accepts every path.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.value) || (has(self.type) && self.type == 'RegularExpression') || self.value.startsWith('/')",
        message = "an Exact or PathPrefix path value must start with '/'")
public class HTTPPathMatch {

    @JsonPropertyDescription("How the path is compared. Exact: the whole path equals value. PathPrefix (the default): the"
            + " path starts with value on whole segments, so /cart matches /cart and /cart/items but not"
            + " /carts; a trailing slash in value is ignored. RegularExpression: value (RE2 syntax) matches"
            + " the whole path.")
    @Default("PathPrefix")
    private PathMatchType type;

    @JsonPropertyDescription("The path or pattern to compare with. For Exact and PathPrefix it starts with '/'. Default:"
            + " /.")
    @Default("/")
    @Size(min = 1, max = 1024)
    private String value;

    public PathMatchType getType() {
        return type;
    }

    public void setType(PathMatchType type) {
        this.type = type;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
