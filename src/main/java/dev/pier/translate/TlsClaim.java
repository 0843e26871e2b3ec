package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.TlsCertificate;
import java.util.List;

/**
 * One object's wish to serve {@code hostnames} over HTTPS with a Secret's certificate
 * ({@code certificate} null when the Secret is unusable; that is already reported). Every claim
 * makes its hosts "have TLS" (plain HTTP is redirected), whatever its certificate.
 *
 * @param field where the claim is written, e.g. {@code spec.tls[0]}
 * @param acme  the entry asks Pier to order the certificate (null: someone else provides the Secret)
 */
record TlsClaim(ObjectRef object, String createdAt, boolean deleting, String field, List<String> hostnames,
                TlsCertificate certificate, AcmeRequest acme) {
    TlsClaim {
        hostnames = List.copyOf(hostnames);
    }

    TlsClaim(ObjectRef object, String createdAt, boolean deleting, String field, List<String> hostnames, TlsCertificate certificate) {
        this(object, createdAt, deleting, field, hostnames, certificate, null);
    }

    /** The Secret this claim serves its hosts from, or will once Pier has ordered it; null for an unusable Secret. */
    ObjectRef secret() {
        if (certificate != null) return certificate.secret();
        return acme != null && acme.orderable() ? acme.secret() : null;
    }
}
