package dev.pier.translate;

import dev.pier.api.BackendTLS;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BackendTls;
import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * How Pier speaks to a backend, from its Service port's {@code appProtocol} and, for TLS, the
 * rule's {@code backendTLS}: absent, {@code http} and {@code kubernetes.io/ws} are HTTP/1.1,
 * {@code kubernetes.io/h2c} HTTP/2 in cleartext, {@code https} and {@code kubernetes.io/wss} TLS.
 * What cannot be settled (an unknown appProtocol, TLS without a usable CA bundle) is a ResolvedRefs
 * problem and {@link BackendProtocol#UNAVAILABLE}: its requests get 503, never a guess.
 */
final class BackendProtocols {
    static final String H2C = "kubernetes.io/h2c";
    static final String HTTPS = "https";
    static final String WSS = "kubernetes.io/wss";
    private static final String KNOWN = "HTTP/1.1 (no appProtocol, http, kubernetes.io/ws), " + H2C + ", " + HTTPS + " and " + WSS;

    private final Function<String, ConfigMap> configMaps; // "namespace/name" -> ConfigMap, or null

    BackendProtocols(Function<String, ConfigMap> configMaps) {
        this.configMaps = configMaps;
    }

    /** A rule's {@code backendTLS} as read once: where it is written, and the CA bundle it resolved to (null when not usable). */
    static final class RuleTls {
        final String field;
        final BackendTLS written;
        /** The CA bundle's PEM; null when unverified, or when it did not resolve. */
        final String caCertificates;
        final ObjectRef caBundle;
        /** Whether it can be used: unverified as asked, or a CA bundle that resolved. */
        final boolean usable;
        boolean used;

        private RuleTls(String field, BackendTLS written, ObjectRef caBundle, String caCertificates, boolean usable) {
            this.field = field;
            this.written = written;
            this.caBundle = caBundle;
            this.caCertificates = caCertificates;
            this.usable = usable;
        }
    }

    /**
     * Reads a rule's {@code backendTLS} (null when the rule has none): one of caCertificateRef and
     * insecureSkipVerify (else Invalid: the rule is left out), the ConfigMap's {@code ca.crt}
     * (else a ResolvedRefs problem, reported once for the rule).
     */
    RuleTls rule(String namespace, BackendTLS written, String field, ObjectProblems problems) {
        if (written == null) return null;
        boolean insecure = Boolean.TRUE.equals(written.getInsecureSkipVerify());
        boolean hasRef = written.getCaCertificateRef() != null;
        // An invalid backendTLS leaves its rule out; it is still returned (unusable), so its backends report nothing more.
        RuleTls invalid = new RuleTls(field, written, null, null, false);
        if (hasRef == insecure) {
            problems.invalid(field, "set exactly one of caCertificateRef and insecureSkipVerify: true");
            return invalid;
        }
        if (written.getHostname() != null && IngressRoutes.hostname(written.getHostname()).filter(h -> !h.startsWith("*")
                && !h.equals("*")).isEmpty()) {
            problems.invalid(field + ".hostname", "\"" + written.getHostname() + "\" is not a DNS name");
            return invalid;
        }
        if (insecure) return new RuleTls(field, written, null, null, true);
        String name = written.getCaCertificateRef().getName();
        String refField = field + ".caCertificateRef.name";
        if (name == null || name.isEmpty()) {
            problems.invalid(refField, "missing");
            return invalid;
        }
        ObjectRef ref = new ObjectRef("ConfigMap", namespace, name);
        String consequence = "; the rule's TLS backends get 503";
        ConfigMap cm = configMaps.apply(namespace + "/" + name);
        String pem = cm == null || cm.getData() == null ? null : cm.getData().get(BackendTLS.CA_KEY);
        String wrong = cm == null ? "ConfigMap " + namespace + "/" + name + " not found"
                : pem == null ? "ConfigMap " + namespace + "/" + name + " has no key " + BackendTLS.CA_KEY
                : certificateProblem(pem).map(p -> "ConfigMap " + namespace + "/" + name + ": " + BackendTLS.CA_KEY + " " + p)
                .orElse(null);
        if (wrong != null) {
            problems.unresolved(refField, Problem.INVALID_BACKEND_TLS, wrong + consequence);
            return new RuleTls(field, written, ref, null, false);
        }
        return new RuleTls(field, written, ref, pem, true);
    }

    /** Why {@code pem} is no CA bundle, or empty when it holds at least one certificate and nothing unreadable. */
    static Optional<String> certificateProblem(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) return Optional.of("holds no PEM certificate");
        try {
            var certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return certificates.isEmpty() ? Optional.of("holds no PEM certificate") : Optional.empty();
        } catch (CertificateException e) {
            return Optional.of("holds a certificate that cannot be read: " + e.getMessage());
        }
    }

    /**
     * The protocol of {@code port} of Service {@code namespace/service}.
     *
     * @param tls         the rule's backendTLS, read by {@link #rule}; null when it has none
     * @param tlsField    where backendTLS would be written; null where no such field exists (an Ingress)
     * @param at          where the reference is written, and what a failure costs
     */
    BackendProtocol of(String namespace, String service, ServicePort port, RuleTls tls, String tlsField,
                       BackendRefs.Written at, ObjectProblems problems) {
        String app = port.getAppProtocol();
        String what = "port " + port.getPort() + " of Service " + namespace + "/" + service;
        if (app == null || app.isEmpty()) return BackendProtocol.HTTP1;
        switch (app.toLowerCase(Locale.ROOT)) {
            case "http", "kubernetes.io/ws":
                return BackendProtocol.HTTP1;
            case H2C:
                return BackendProtocol.H2C;
            case HTTPS, WSS:
                break;
            default:
                problems.unresolved(at.portField(), Problem.UNSUPPORTED_PROTOCOL, what + " has appProtocol \"" + app
                        + "\", which Pier does not speak (it speaks " + KNOWN + "); " + at.consequence());
                return BackendProtocol.UNAVAILABLE;
        }
        if (tlsField == null) {
            problems.unresolved(at.portField(), Problem.INVALID_BACKEND_TLS, what + " speaks TLS (appProtocol " + app
                    + ") and an Ingress cannot name the CA bundle to check it; route it with a GatewayRoute and"
                    + " backendTLS; " + at.consequence());
            return BackendProtocol.UNAVAILABLE;
        }
        if (tls == null) {
            problems.unresolved(tlsField, Problem.INVALID_BACKEND_TLS, what + " speaks TLS (appProtocol " + app
                    + ") and the rule has no backendTLS to check it (caCertificateRef, or insecureSkipVerify: true); "
                    + at.consequence());
            return BackendProtocol.UNAVAILABLE;
        }
        tls.used = true;
        if (!tls.usable) return BackendProtocol.UNAVAILABLE; // its problem is reported once, by rule()
        String serverName = tls.written.getHostname() != null ? tls.written.getHostname().toLowerCase(Locale.ROOT)
                : service + "." + namespace + ".svc";
        return new BackendProtocol.Https(tls.caCertificates == null ? BackendTls.unverified(serverName)
                : BackendTls.verified(serverName, tls.caBundle, tls.caCertificates));
    }

    /** A usable backendTLS no backend of its rule used: likely a Service port without its appProtocol. */
    static void warnUnused(RuleTls tls, ObjectProblems problems) {
        if (tls != null && tls.usable && !tls.used) {
            problems.warning(tls.field, Problem.IGNORED_FIELD, "no backend of this rule speaks TLS (a Service port with"
                    + " appProtocol " + HTTPS + " or " + WSS + "), so it has no effect");
        }
    }
}
