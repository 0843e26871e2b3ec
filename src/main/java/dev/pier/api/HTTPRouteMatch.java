package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * One set of conditions that selects a rule. All conditions given in one match must hold; a rule
 * is selected when any of its matches holds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HTTPRouteMatch {

    @JsonPropertyDescription("Matches the request path. Default: every path (PathPrefix /).")
    private HTTPPathMatch path;

    @JsonPropertyDescription("Matches the request method. Default: every method.")
    private HTTPMethod method;

    @JsonPropertyDescription("Request headers that must all match. Each header name may occur once.")
    @Size(max = 16)
    private List<HTTPHeaderMatch> headers;

    @JsonPropertyDescription("Query parameters that must all match. Each parameter name may occur once.")
    @Size(max = 16)
    private List<HTTPQueryParamMatch> queryParams;

    public HTTPPathMatch getPath() {
        return path;
    }

    public void setPath(HTTPPathMatch path) {
        this.path = path;
    }

    public HTTPMethod getMethod() {
        return method;
    }

    public void setMethod(HTTPMethod method) {
        this.method = method;
    }

    public List<HTTPHeaderMatch> getHeaders() {
        return headers;
    }

    public void setHeaders(List<HTTPHeaderMatch> headers) {
        this.headers = headers;
    }

    public List<HTTPQueryParamMatch> getQueryParams() {
        return queryParams;
    }

    public void setQueryParams(List<HTTPQueryParamMatch> queryParams) {
        this.queryParams = queryParams;
    }
}
