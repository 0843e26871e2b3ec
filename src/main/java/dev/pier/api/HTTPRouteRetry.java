package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Retries of failed tries at a backend, for idempotent methods only (GET, HEAD, OPTIONS, TRACE,
 * PUT, DELETE) and only before any part of the response went to the client.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPRouteRetry {

    @JsonPropertyDescription("Retries after the first try. 0 (the default) disables retries.")
    @Min(0)
    @Max(10)
    private Integer attempts;

    @JsonPropertyDescription("Pause before each retry, e.g. 50ms. Default: none.")
    @Pattern(Durations.PATTERN)
    private String backoff;

    @JsonPropertyDescription("Backend response statuses (500-599) that cause a retry. Connection failures and timeouts of"
            + " a try always do. Default: 502, 503, 504.")
    @Size(max = 16)
    private List<@Min(500) @Max(599) Integer> codes;

    public Integer getAttempts() {
        return attempts;
    }

    public void setAttempts(Integer attempts) {
        this.attempts = attempts;
    }

    public String getBackoff() {
        return backoff;
    }

    public void setBackoff(String backoff) {
        this.backoff = backoff;
    }

    public List<@Min(500) @Max(599) Integer> getCodes() {
        return codes;
    }

    public void setCodes(List<@Min(500) @Max(599) Integer> codes) {
        this.codes = codes;
    }
}
