package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** A certificate for some of the route's hosts, from a {@code kubernetes.io/tls} Secret in the route's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayRouteTLS {

    @JsonPropertyDescription("Hosts this certificate is served for (chosen by the TLS server name, SNI); '*.example.org'"
            + " covers exactly one extra label. Default: the route's hostnames.")
    @Size(max = 16)
    private List<@Pattern(SchemaPatterns.WILDCARD_HOSTNAME) String> hostnames;

    @JsonPropertyDescription("A Secret of type kubernetes.io/tls (tls.crt, tls.key) in the route's namespace. A missing or"
            + " unusable Secret is reported (ResolvedRefs=False) and its hosts get the default certificate. With acme: true,"
            + " the Secret Pier keeps the certificate it orders in (it creates it, labelled as Pier's).")
    @Required
    @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
    private String secretName;

    @JsonPropertyDescription("Pier orders this certificate from its ACME CA (--acme-directory) and renews it, when every"
            + " host is on the operator's allowlist (--acme-allow-host); HTTP-01 or TLS-ALPN-01, so no wildcard hosts."
            + " The CertificateReady condition says how it goes. Default: false (the Secret is provided by someone else).")
    private Boolean acme;

    public Boolean getAcme() {
        return acme;
    }

    public void setAcme(Boolean acme) {
        this.acme = acme;
    }

    public List<@Pattern(SchemaPatterns.WILDCARD_HOSTNAME) String> getHostnames() {
        return hostnames;
    }

    public void setHostnames(List<@Pattern(SchemaPatterns.WILDCARD_HOSTNAME) String> hostnames) {
        this.hostnames = hostnames;
    }

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String secretName) {
        this.secretName = secretName;
    }
}
