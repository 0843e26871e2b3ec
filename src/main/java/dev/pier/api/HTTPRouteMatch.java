package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * One set of conditions that selects a rule. All conditions given in one match must hold; a rule
 * is selected when any of its matches holds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.path) && has(self.grpc))", message = "a match takes path or grpc, not both")
public class HTTPRouteMatch {

    @JsonPropertyDescription("Matches the request path. Default: every path (PathPrefix /).")
    private HTTPPathMatch path;

    @JsonPropertyDescription("Matches a gRPC call by service and method, which gRPC puts in the path: a shorthand for the"
            + " path match they make (service and method: Exact /service/method; service: PathPrefix /service;"
            + " method: every service's method). Not together with path.")
    private GRPCMethodMatch grpc;

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

    public GRPCMethodMatch getGrpc() {
        return grpc;
    }

    public void setGrpc(GRPCMethodMatch grpc) {
        this.grpc = grpc;
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
