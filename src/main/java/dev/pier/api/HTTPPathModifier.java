package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a rewrite or a redirect replaces the request path.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.replaceFullPath) == (self.type == 'ReplaceFullPath')",
        message = "replaceFullPath is required for type ReplaceFullPath and not allowed otherwise")
@ValidationRule(value = "has(self.replacePrefixMatch) == (self.type == 'ReplacePrefixMatch')",
        message = "replacePrefixMatch is required for type ReplacePrefixMatch and not allowed otherwise")
public class HTTPPathModifier {

    @JsonPropertyDescription("ReplaceFullPath: the path becomes replaceFullPath. ReplacePrefixMatch: the part of the path"
            + " matched by the rule's PathPrefix match is replaced by replacePrefixMatch, the rest is kept.")
    @Required
    private PathModifierType type;

    @JsonPropertyDescription("The new path, for type ReplaceFullPath.")
    @Size(max = 1024)
    private String replaceFullPath;

    @JsonPropertyDescription("What replaces the matched prefix, for type ReplacePrefixMatch; the rule's matches must use"
            + " PathPrefix paths.")
    @Size(max = 1024)
    private String replacePrefixMatch;

    public PathModifierType getType() {
        return type;
    }

    public void setType(PathModifierType type) {
        this.type = type;
    }

    public String getReplaceFullPath() {
        return replaceFullPath;
    }

    public void setReplaceFullPath(String replaceFullPath) {
        this.replaceFullPath = replaceFullPath;
    }

    public String getReplacePrefixMatch() {
        return replacePrefixMatch;
    }

    public void setReplacePrefixMatch(String replacePrefixMatch) {
        this.replacePrefixMatch = replacePrefixMatch;
    }
}
