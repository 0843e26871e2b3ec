package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How Pier checks the backends of a rule that speak TLS (Service ports with appProtocol https or
 * kubernetes.io/wss): against the CA certificates of a ConfigMap, or, only when said here, not at all.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.caCertificateRef) != (has(self.insecureSkipVerify) && self.insecureSkipVerify)",
        message = "set exactly one of caCertificateRef and insecureSkipVerify: true")
public class BackendTLS {

    /** The ConfigMap key that holds the CA certificates, as in Gateway API's BackendTLSPolicy. */
    public static final String CA_KEY = "ca.crt";

    @JsonPropertyDescription("A ConfigMap in the route's namespace whose key ca.crt holds the PEM CA certificates a"
            + " backend's certificate must chain to.")
    private LocalObjectReference caCertificateRef;

    @JsonPropertyDescription("The name sent as SNI and that the backend's certificate must carry. Default: the Service's"
            + " cluster name, <service>.<namespace>.svc.")
    @Size(min = 1, max = 253)
    @Pattern(SchemaPatterns.HOSTNAME)
    private String hostname;

    @JsonPropertyDescription("Connect over TLS without checking the backend's certificate (encrypted, not"
            + " authenticated). Only for backends whose certificate cannot be checked; prefer caCertificateRef.")
    private Boolean insecureSkipVerify;

    public LocalObjectReference getCaCertificateRef() {
        return caCertificateRef;
    }

    public void setCaCertificateRef(LocalObjectReference caCertificateRef) {
        this.caCertificateRef = caCertificateRef;
    }

    public String getHostname() {
        return hostname;
    }

    public void setHostname(String hostname) {
        this.hostname = hostname;
    }

    public Boolean getInsecureSkipVerify() {
        return insecureSkipVerify;
    }

    public void setInsecureSkipVerify(Boolean insecureSkipVerify) {
        this.insecureSkipVerify = insecureSkipVerify;
    }
}
