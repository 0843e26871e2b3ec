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
 */
record TlsClaim(ObjectRef object, String createdAt, boolean deleting, String field, List<String> hostnames,
                TlsCertificate certificate) {
    TlsClaim {
        hostnames = List.copyOf(hostnames);
    }
}
