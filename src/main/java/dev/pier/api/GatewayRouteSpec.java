package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The desired routing: which hosts, and for each request which rule answers it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayRouteSpec {

    @JsonPropertyDescription("The IngressClass that serves this route, as for an Ingress. Default: the cluster's default"
            + " IngressClass if it is Pier's.")
    @Size(min = 1, max = 253)
    private String ingressClassName;

    @JsonPropertyDescription("Hosts this route serves, matched against the Host header without port. '*.example.org'"
            + " matches exactly one extra label (a.example.org, not example.org or a.b.example.org)."
            + " Default: every host.")
    @Size(max = 16)
    private List<@Pattern(SchemaPatterns.WILDCARD_HOSTNAME) String> hostnames;

    @JsonPropertyDescription("The rules; a request goes to the best-matching one across all routes and Ingresses of the"
            + " host (see the precedence order in docs/gatewayroute.md).")
    @Required
    @Size(min = 1, max = 32)
    private List<GatewayRouteRule> rules;

    @JsonPropertyDescription("Certificates for HTTPS, chosen per connection by the TLS server name (SNI). A host with a"
            + " certificate (from any route or Ingress) gets plain-HTTP requests redirected to HTTPS; see httpsRedirect.")
    @Size(max = 16)
    private List<GatewayRouteTLS> tls;

    @JsonPropertyDescription("Whether plain-HTTP requests to this route's hosts that have TLS get a 308 redirect to"
            + " https:// (never for /.well-known/acme-challenge/). Default: true.")
    private Boolean httpsRedirect;

    @JsonPropertyDescription("Strict-Transport-Security on this route's HTTPS answers, for hosts that have TLS."
            + " Default: none.")
    private HSTS hsts;

    public String getIngressClassName() {
        return ingressClassName;
    }

    public void setIngressClassName(String ingressClassName) {
        this.ingressClassName = ingressClassName;
    }

    public List<@Pattern(SchemaPatterns.WILDCARD_HOSTNAME) String> getHostnames() {
        return hostnames;
    }

    public void setHostnames(List<@Pattern(SchemaPatterns.WILDCARD_HOSTNAME) String> hostnames) {
        this.hostnames = hostnames;
    }

    public List<GatewayRouteTLS> getTls() {
        return tls;
    }

    public void setTls(List<GatewayRouteTLS> tls) {
        this.tls = tls;
    }

    public Boolean getHttpsRedirect() {
        return httpsRedirect;
    }

    public void setHttpsRedirect(Boolean httpsRedirect) {
        this.httpsRedirect = httpsRedirect;
    }

    public HSTS getHsts() {
        return hsts;
    }

    public void setHsts(HSTS hsts) {
        this.hsts = hsts;
    }

    public List<GatewayRouteRule> getRules() {
        return rules;
    }

    public void setRules(List<GatewayRouteRule> rules) {
        this.rules = rules;
    }
}
