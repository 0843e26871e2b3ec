package dev.pier.model;

import java.util.List;
import java.util.Objects;

/**
 * A certificate Pier orders and renews itself over ACME, as translation decided it: the object asked
 * for it (a GatewayRoute {@code tls} entry with {@code acme: true}, an Ingress {@code spec.tls} entry
 * with {@code pier.dev/acme: "true"}), every host is on the operator's allowlist, and the hosts are
 * the ones that entry won. The certificate is kept in {@code secret}, which every replica serves
 * through the routing table like any TLS Secret.
 *
 * @param hostnames  the certificate's names, sorted, lower-case, no wildcards
 * @param requesters the objects that asked for it (conditions and Events go to them)
 */
public record AcmeCertificate(ObjectRef secret, List<String> hostnames, List<ObjectRef> requesters) {
    public AcmeCertificate {
        Objects.requireNonNull(secret, "secret");
        hostnames = List.copyOf(hostnames);
        requesters = List.copyOf(requesters);
        if (hostnames.isEmpty()) throw new IllegalArgumentException("an ACME certificate for " + secret + " without hosts");
    }
}
