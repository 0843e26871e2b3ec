package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Rewrites the request before it goes to the backend; the client sees no change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPURLRewriteFilter {

    @JsonPropertyDescription("The Host header sent to the backend. Default: the request's.")
    @Size(min = 1, max = 253)
    @Pattern(SchemaPatterns.HOSTNAME)
    private String hostname;

    @JsonPropertyDescription("How the path sent to the backend is changed. Default: unchanged.")
    private HTTPPathModifier path;

    public String getHostname() {
        return hostname;
    }

    public void setHostname(String hostname) {
        this.hostname = hostname;
    }

    public HTTPPathModifier getPath() {
        return path;
    }

    public void setPath(HTTPPathModifier path) {
        this.path = path;
    }
}
