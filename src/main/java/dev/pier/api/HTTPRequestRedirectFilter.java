package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Answers with a redirect instead of forwarding. Fields left out keep the request's value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPRequestRedirectFilter {

    /** The status a redirect has when none is written. */
    public static final int DEFAULT_STATUS_CODE = 302;

    @JsonPropertyDescription("The scheme of the Location: http or https. Default: the request's.")
    private RedirectScheme scheme;

    @JsonPropertyDescription("The host of the Location. Default: the request's.")
    @Size(min = 1, max = 253)
    @Pattern(SchemaPatterns.HOSTNAME)
    private String hostname;

    @JsonPropertyDescription("The port of the Location. Default: the request's port, or none when it is the scheme's"
            + " well-known port (80 for http, 443 for https).")
    @Min(1)
    @Max(65535)
    private Integer port;

    @JsonPropertyDescription("How the path of the Location is changed. Default: unchanged.")
    private HTTPPathModifier path;

    @JsonPropertyDescription("The redirect status: 301, 302 (the default), 303, 307 or 308.")
    @Default("302")
    @ValidationRule(value = "self in [301, 302, 303, 307, 308]", message = "statusCode must be 301, 302, 303, 307 or 308")
    private Integer statusCode;

    public RedirectScheme getScheme() {
        return scheme;
    }

    public void setScheme(RedirectScheme scheme) {
        this.scheme = scheme;
    }

    public String getHostname() {
        return hostname;
    }

    public void setHostname(String hostname) {
        this.hostname = hostname;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public HTTPPathModifier getPath() {
        return path;
    }

    public void setPath(HTTPPathModifier path) {
        this.path = path;
    }

    public Integer getStatusCode() {
        return statusCode;
    }

    public void setStatusCode(Integer statusCode) {
        this.statusCode = statusCode;
    }
}
