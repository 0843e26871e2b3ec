package dev.pier.model;

import java.util.Objects;

/**
 * Something translation found wrong with one object: which object, where in it, what it means for
 * the object's conditions and why. Statuses, Events, log lines, {@code /routes} and the exit code of
 * {@code pier translate} are all views of these values.
 *
 * @param object        the object at fault
 * @param field         the field path inside it, e.g. {@code spec.rules[1].matches[0].path.value};
 *                      empty when the problem is the object as a whole
 * @param conditionType the condition this problem turns False, {@link #ACCEPTED} (something is left
 *                      out), {@link #RESOLVED_REFS} (a reference does not resolve; requests get 503) or
 *                      {@link #CERTIFICATE_READY} (an ACME certificate cannot be had); null for a warning
 *                      that changes nothing served
 * @param reason        a CamelCase word for machines: {@link #INVALID}, {@link #CONFLICTED}, ...
 * @param message       for people, without the field (see {@link #text()})
 */
public record Problem(ObjectRef object, String field, String conditionType, String reason, String message) {
    public static final String ACCEPTED = "Accepted";
    public static final String RESOLVED_REFS = "ResolvedRefs";
    /** The condition of a certificate Pier orders over ACME: False while it has none it can serve. */
    public static final String CERTIFICATE_READY = "CertificateReady";

    /** A field Pier cannot serve as written; what it belongs to is left out. */
    public static final String INVALID = "Invalid";
    /** Another claim on the same host and match (or default backend) won; this one is left out. */
    public static final String CONFLICTED = "Conflicted";
    /** A Service that does not exist. */
    public static final String BACKEND_NOT_FOUND = "BackendNotFound";
    /** The Service exists but has no such port. */
    public static final String PORT_NOT_FOUND = "PortNotFound";
    /** An ExternalName Service while they are not allowed. */
    public static final String UNSUPPORTED_BACKEND = "UnsupportedBackend";
    /** A Service port that is not TCP (UDP, SCTP), or whose appProtocol Pier does not speak. */
    public static final String UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";
    /** A TLS Secret that is missing, or holds no usable certificate and key (unparseable, mismatched, expired). */
    public static final String INVALID_CERTIFICATE_REF = "InvalidCertificateRef";
    /** A warning: a certificate served for a host its names do not cover. */
    public static final String CERTIFICATE_NAME_MISMATCH = "CertificateNameMismatch";
    /** A warning: a certificate whose validity starts later (clock skew, or issued ahead). */
    public static final String CERTIFICATE_NOT_YET_VALID = "CertificateNotYetValid";
    /** ACME: a host outside the operator's allowlist ({@code --acme-allow-host}); no order is placed. */
    public static final String HOST_NOT_ALLOWED = "HostNotAllowed";
    /** ACME: a wildcard host, which only DNS-01 can validate; no order is placed. */
    public static final String UNSUPPORTED_HOST = "UnsupportedHost";
    /** ACME: the Secret to keep the certificate in exists and is not Pier's; Pier does not write it. */
    public static final String SECRET_NOT_OWNED = "SecretNotOwned";
    /** ACME: asked for, but this Pier has no {@code --acme-directory}. */
    public static final String ACME_NOT_CONFIGURED = "AcmeNotConfigured";
    /** ACME: the last order failed (the CA refused, or could not be reached); the message says when the next try is. */
    public static final String ORDER_FAILED = "OrderFailed";
    /** ACME, a warning: renewing failed, the current certificate is still served; the message says when the next try is. */
    public static final String RENEWAL_FAILING = "RenewalFailing";
    /** A backend that speaks TLS without a usable way to check it: no backendTLS, or a CA bundle that is missing or unreadable. */
    public static final String INVALID_BACKEND_TLS = "InvalidBackendTLS";
    /** A field that has no effect where it is written. */
    public static final String IGNORED_FIELD = "IgnoredField";
    /** An annotation of another ingress controller: it has no effect in Pier. */
    public static final String IGNORED_ANNOTATION = "IgnoredAnnotation";

    public Problem {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** {@code field: message}, the one-line form of log lines, Events and condition messages. */
    public String text() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
