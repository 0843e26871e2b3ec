package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Answers with a fixed status and body instead of forwarding.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DirectResponseFilter {

    @JsonPropertyDescription("The response status code.")
    @Required
    @Min(200)
    @Max(599)
    private Integer status;

    @JsonPropertyDescription("The response body, sent as text/plain; charset=utf-8. Default: empty.")
    @Size(max = 4096)
    private String body;

    public Integer getStatus() {
        return status;
    }

    public void setStatus(Integer status) {
        this.status = status;
    }

    public String getBody() {
        return body;
    }

    public void setBody(String body) {
        this.body = body;
    }
}
