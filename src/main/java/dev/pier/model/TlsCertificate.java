package dev.pier.model;

import java.util.List;

/** A certificate and key (PEM) from a TLS Secret, and the hostnames it serves. */
public record TlsCertificate(ObjectRef secret, List<String> hostnames, String certificatePem, String privateKeyPem) {
    public TlsCertificate {
        hostnames = List.copyOf(hostnames);
    }

    @Override
    public String toString() {
        return "TlsCertificate[" + secret + " " + hostnames + "]"; // never print the key
    }
}
