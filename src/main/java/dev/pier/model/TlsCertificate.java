package dev.pier.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A certificate chain and key (PEM) from a TLS Secret, checked by translation (both parse, the key
 * belongs to the certificate, not expired), and the hostnames it is served for: exact names or
 * one-label wildcards ({@code *.example.com}), lower-case. {@code fingerprint} ({@code sha256:<hex>}
 * of the leaf) and {@code notAfter} are what printed views show; the PEM texts are never printed.
 */
public record TlsCertificate(ObjectRef secret, List<String> hostnames, String certificatePem, String privateKeyPem,
                             String fingerprint, Instant notAfter) {
    public TlsCertificate {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(notAfter, "notAfter");
        hostnames = List.copyOf(hostnames);
    }

    public TlsCertificate withHostnames(List<String> names) {
        return new TlsCertificate(secret, names, certificatePem, privateKeyPem, fingerprint, notAfter);
    }

    @Override
    public String toString() {
        return "TlsCertificate[" + secret + " " + hostnames + " " + fingerprint + "]"; // never the key
    }
}
