package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/**
 * Time limits, as durations like 500ms, 15s, 1m30s (units ms, s, m, h). A request over a limit is
 * answered 504.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPRouteTimeouts {

    @JsonPropertyDescription("Limit for the whole exchange as the client sees it, retries included, from the request's"
            + " arrival to the end of the response headers. Default: none.")
    @Pattern(Durations.PATTERN)
    private String request;

    @JsonPropertyDescription("Limit for each try at a backend. Default: none (the request limit applies). Should not"
            + " exceed request.")
    @Pattern(Durations.PATTERN)
    private String backendRequest;

    public String getRequest() {
        return request;
    }

    public void setRequest(String request) {
        this.request = request;
    }

    public String getBackendRequest() {
        return backendRequest;
    }

    public void setBackendRequest(String backendRequest) {
        this.backendRequest = backendRequest;
    }
}
