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

    @JsonPropertyDescription("Limit for each TCP connect to a backend; a connect that takes longer is answered 504"
            + " \"backend connect timed out\" (or retried). Default: the --connect-timeout flag (5s).")
    @Pattern(Durations.PATTERN)
    private String connect;

    @JsonPropertyDescription("A websocket of this rule with no frame either way for this long is closed. Default: the"
            + " --websocket-idle-timeout flag (5m).")
    @Pattern(Durations.PATTERN)
    private String websocketIdle;

    public String getConnect() {
        return connect;
    }

    public void setConnect(String connect) {
        this.connect = connect;
    }

    public String getWebsocketIdle() {
        return websocketIdle;
    }

    public void setWebsocketIdle(String websocketIdle) {
        this.websocketIdle = websocketIdle;
    }

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
