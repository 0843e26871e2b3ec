package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * A routing rule: either matches that send requests to backendRefs (or to a redirect or direct
 * response filter), or a namespace resolver.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.resolver) || (!has(self.matches) && !has(self.backendRefs))",
        message = "a resolver rule takes no matches or backendRefs")
public class GatewayRouteRule {

    @JsonPropertyDescription("Conditions that select this rule; any one match selects it. Default: one match of every path"
            + " (PathPrefix /).")
    @Size(max = 32)
    private List<HTTPRouteMatch> matches;

    @JsonPropertyDescription("Services in the route's namespace that receive the requests, split by weight. Without"
            + " backendRefs (and without a redirect or direct response filter) requests get 500.")
    @Size(max = 16)
    private List<HTTPBackendRef> backendRefs;

    @JsonPropertyDescription("How each Service's endpoints are chosen. Default: RoundRobin.")
    private LoadBalancerPolicy loadBalancer;

    @JsonPropertyDescription("Filters applied to matched requests: request sides in list order, response sides in reverse"
            + " order.")
    @Size(max = 16)
    private List<HTTPRouteFilter> filters;

    @JsonPropertyDescription("Time limits for matched requests. Default: none.")
    private HTTPRouteTimeouts timeouts;

    @JsonPropertyDescription("Retries of failed tries at a backend. Default: no retries.")
    private HTTPRouteRetry retry;

    @JsonPropertyDescription("How the rule's backends that speak TLS (Service port appProtocol https or kubernetes.io/wss)"
            + " are checked: against a CA bundle, or not at all when insecureSkipVerify says so. Required when such a"
            + " backend is used; without it that backend's requests get 503.")
    private BackendTLS backendTLS;

    @JsonPropertyDescription("Largest request body this rule accepts, in bytes with an optional suffix Ki, Mi or Gi"
            + " (e.g. 10Mi); a larger body is answered 413 (at once when Content-Length says so). Default: the"
            + " --max-request-body-size flag (no limit).")
    @Pattern(ByteSizes.PATTERN)
    private String maxRequestBodySize;

    @JsonPropertyDescription("Makes this rule a namespace resolver: the path names the Service. A resolver rule takes no"
            + " matches or backendRefs; its loadBalancer, filters, timeouts and retry apply to every"
            + " resolved Service.")
    private NamespaceResolver resolver;

    @JsonPropertyDescription("Which path the backends get. Normalize (the default): the normalised path the rule matched"
            + " (escapes of unreserved characters decoded, . and .. segments resolved, repeated slashes merged)."
            + " ForwardRaw: the path exactly as the client sent it, and an encoded / or \\ (%2F, %5C) is accepted;"
            + " matching still uses the normalised path. ForwardRaw is not allowed with a URLRewrite path or a"
            + " resolver pathPrefix other than /.")
    private PathPolicy pathPolicy;

    @JsonPropertyDescription("Active health checks of the endpoints of this rule's backends (or resolved Services): an"
            + " endpoint that fails them gets no requests from this rule until it passes again. Default: none"
            + " (passive outlier detection still applies).")
    private HealthCheck healthCheck;

    public String getMaxRequestBodySize() {
        return maxRequestBodySize;
    }

    public void setMaxRequestBodySize(String maxRequestBodySize) {
        this.maxRequestBodySize = maxRequestBodySize;
    }

    public List<HTTPRouteMatch> getMatches() {
        return matches;
    }

    public void setMatches(List<HTTPRouteMatch> matches) {
        this.matches = matches;
    }

    public List<HTTPBackendRef> getBackendRefs() {
        return backendRefs;
    }

    public void setBackendRefs(List<HTTPBackendRef> backendRefs) {
        this.backendRefs = backendRefs;
    }

    public LoadBalancerPolicy getLoadBalancer() {
        return loadBalancer;
    }

    public void setLoadBalancer(LoadBalancerPolicy loadBalancer) {
        this.loadBalancer = loadBalancer;
    }

    public List<HTTPRouteFilter> getFilters() {
        return filters;
    }

    public void setFilters(List<HTTPRouteFilter> filters) {
        this.filters = filters;
    }

    public HTTPRouteTimeouts getTimeouts() {
        return timeouts;
    }

    public void setTimeouts(HTTPRouteTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    public HTTPRouteRetry getRetry() {
        return retry;
    }

    public void setRetry(HTTPRouteRetry retry) {
        this.retry = retry;
    }

    public BackendTLS getBackendTLS() {
        return backendTLS;
    }

    public void setBackendTLS(BackendTLS backendTLS) {
        this.backendTLS = backendTLS;
    }

    public NamespaceResolver getResolver() {
        return resolver;
    }

    public void setResolver(NamespaceResolver resolver) {
        this.resolver = resolver;
    }

    public PathPolicy getPathPolicy() {
        return pathPolicy;
    }

    public void setPathPolicy(PathPolicy pathPolicy) {
        this.pathPolicy = pathPolicy;
    }

    public HealthCheck getHealthCheck() {
        return healthCheck;
    }

    public void setHealthCheck(HealthCheck healthCheck) {
        this.healthCheck = healthCheck;
    }
}
