package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Changes headers, in this order: set replaces a header's values, add appends a value, remove
 * deletes a header. Names compare case-insensitively.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPHeaderFilter {

    @JsonPropertyDescription("Headers to set, replacing any values the message has for that name.")
    @Size(max = 16)
    private List<HTTPHeader> set;

    @JsonPropertyDescription("Headers to append, keeping any values the message already has.")
    @Size(max = 16)
    private List<HTTPHeader> add;

    @JsonPropertyDescription("Names of headers to delete (case-insensitive).")
    @Size(max = 16)
    private List<@Size(min = 1, max = 256) String> remove;

    public List<HTTPHeader> getSet() {
        return set;
    }

    public void setSet(List<HTTPHeader> set) {
        this.set = set;
    }

    public List<HTTPHeader> getAdd() {
        return add;
    }

    public void setAdd(List<HTTPHeader> add) {
        this.add = add;
    }

    public List<@Size(min = 1, max = 256) String> getRemove() {
        return remove;
    }

    public void setRemove(List<@Size(min = 1, max = 256) String> remove) {
        this.remove = remove;
    }
}
