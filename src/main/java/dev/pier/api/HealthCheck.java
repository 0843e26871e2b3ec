package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Active health checks of a rule's backend endpoints: Pier asks each endpoint for {@code path} every
 * {@code interval} and sends no requests to an endpoint while it is unhealthy.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheck {
    /** Defaults, as Envoy Gateway's active health checks have them. */
    public static final String DEFAULT_INTERVAL = "3s";
    public static final String DEFAULT_TIMEOUT = "1s";
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    public static final int DEFAULT_HEALTHY_THRESHOLD = 1;

    @JsonPropertyDescription("The path Pier requests (GET, HTTP/1.1) from each endpoint, e.g. /healthz; a query string may"
            + " follow. A status of 200-399 within timeout is a success, anything else a failure.")
    @Required
    @Size(min = 1, max = 1024)
    @Pattern(SchemaPatterns.HEALTH_CHECK_PATH)
    private String path;

    @JsonPropertyDescription("Time between two checks of one endpoint, e.g. 5s. Default: 3s.")
    @Pattern(Durations.PATTERN)
    private String interval;

    @JsonPropertyDescription("How long a check waits for the response head before it counts as a failure. Default: 1s."
            + " Must be less than interval.")
    @Pattern(Durations.PATTERN)
    private String timeout;

    @JsonPropertyDescription("Consecutive failures that mark a healthy endpoint unhealthy. Default: 3.")
    @Min(1)
    @Max(100)
    private Integer unhealthyThreshold;

    @JsonPropertyDescription("Consecutive successes that mark an unhealthy endpoint healthy again. Default: 1.")
    @Min(1)
    @Max(100)
    private Integer healthyThreshold;

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public Integer getUnhealthyThreshold() {
        return unhealthyThreshold;
    }

    public void setUnhealthyThreshold(Integer unhealthyThreshold) {
        this.unhealthyThreshold = unhealthyThreshold;
    }

    public Integer getHealthyThreshold() {
        return healthyThreshold;
    }

    public void setHealthyThreshold(Integer healthyThreshold) {
        this.healthyThreshold = healthyThreshold;
    }
}
