package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import dev.pier.model.TlsCertificate;
import dev.pier.tls.CertificateKeyPair;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one lookup of a certificate Secret, shared by Ingress {@code spec.tls}, GatewayRoute
 * {@code spec.tls} and {@code --default-certificate}: the Secret exists in the namespace, has type
 * {@code kubernetes.io/tls}, its certificate and key parse and belong together, and the certificate
 * has not expired at {@code now} (an input, so translation stays a pure function). Anything else is
 * a ResolvedRefs problem naming the Secret, and the hosts get the default certificate. A certificate
 * whose names do not cover a host, or that is not valid yet, is served with a warning.
 */
public final class CertificateRefs {
    /** The Secret type of a certificate and key; the cluster source reads only Secrets of this type. */
    public static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

    private final Map<String, Secret> secrets; // "namespace/name" -> Secret
    private final Instant now;

    CertificateRefs(Map<String, Secret> secrets, Instant now) {
        this.secrets = secrets;
        this.now = now;
    }

    /**
     * @param field       where the Secret is named, e.g. {@code spec.tls[0].secretName}
     * @param consequence what happens without it, ending the problem's message
     */
    Optional<TlsCertificate> resolve(String namespace, String secretName, List<String> hostnames, String field,
                                     String consequence, ObjectProblems problems) {
        return resolve(namespace, secretName, hostnames, field, consequence, problems, true).map(Resolved::certificate);
    }

    /** A usable certificate and the hosts its names do not cover. */
    record Resolved(TlsCertificate certificate, List<String> uncovered) {
    }

    /**
     * The same checks; with {@code warnNames} false, names that do not cover a host are only returned,
     * not reported (an ACME certificate for hosts that changed is simply ordered again).
     */
    Optional<Resolved> resolve(String namespace, String secretName, List<String> hostnames, String field,
                               String consequence, ObjectProblems problems, boolean warnNames) {
        String what = "Secret " + namespace + "/" + secretName;
        Secret secret = secrets.get(namespace + "/" + secretName);
        if (secret == null) {
            problems.unresolved(field, Problem.INVALID_CERTIFICATE_REF, what + " not found; " + consequence);
            return Optional.empty();
        }
        if (!TLS_SECRET_TYPE.equals(secret.getType())) {
            problems.unresolved(field, Problem.INVALID_CERTIFICATE_REF, what + " has type \"" + secret.getType() + "\", not "
                    + TLS_SECRET_TYPE + "; " + consequence);
            return Optional.empty();
        }
        CertificateKeyPair pair;
        String certificate;
        String key;
        try {
            certificate = value(secret, "tls.crt");
            key = value(secret, "tls.key");
            pair = CertificateKeyPair.parse(certificate, key);
        } catch (IllegalArgumentException e) {
            problems.unresolved(field, Problem.INVALID_CERTIFICATE_REF, what + ": " + e.getMessage() + "; " + consequence);
            return Optional.empty();
        } catch (CertificateKeyPair.InvalidCertificate e) {
            problems.unresolved(field, Problem.INVALID_CERTIFICATE_REF, what + ": " + e.getMessage() + "; " + consequence);
            return Optional.empty();
        }
        if (!now.isBefore(pair.notAfter())) {
            problems.unresolved(field, Problem.INVALID_CERTIFICATE_REF, what + ": the certificate (" + pair.fingerprint()
                    + ") expired at " + pair.notAfter() + "; " + consequence);
            return Optional.empty();
        }
        if (now.isBefore(pair.notBefore())) {
            problems.warning(field, Problem.CERTIFICATE_NOT_YET_VALID, what + ": the certificate (" + pair.fingerprint()
                    + ") is not valid before " + pair.notBefore() + "; clients refuse it until then");
        }
        List<String> uncovered = hostnames.stream().filter(h -> !pair.covers(h)).toList();
        if (!uncovered.isEmpty() && warnNames) {
            problems.warning(field, Problem.CERTIFICATE_NAME_MISMATCH, what + ": the certificate's names "
                    + pair.dnsNames() + " do not cover " + String.join(", ", uncovered) + "; clients that check names refuse it there");
        }
        return Optional.of(new Resolved(new TlsCertificate(new ObjectRef("Secret", namespace, secretName), hostnames, certificate,
                key, pair.fingerprint(), pair.notAfter()), uncovered));
    }

    /** The Secret {@code namespace/name}, or null. */
    Secret secret(String namespace, String name) {
        return secrets.get(namespace + "/" + name);
    }

    /** {@code data} is base64 (what the API server stores); {@code stringData} is plain text (hand-written files). */
    private static String value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return new String(Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data." + key + " is not valid base64", e);
            }
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }
}
