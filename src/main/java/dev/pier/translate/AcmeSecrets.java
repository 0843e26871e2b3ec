package dev.pier.translate;

import dev.pier.model.AcmeChallenge;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * How a Secret that holds an ACME certificate is laid out, in one place for translation (which reads
 * it) and {@code dev.pier.acme} (which writes it). The Secret is the ACME state as well as the
 * certificate, so every replica (and a new leader) sees the same state through the API server:
 *
 * <ul>
 *   <li>label {@value #MANAGED_BY_LABEL}={@value #MANAGED_BY}: Pier made it and may write it (the
 *       admission policy shipped in deploy/ lets Pier write no other Secret);</li>
 *   <li>{@code tls.crt}/{@code tls.key}: the certificate served (empty before the first one);</li>
 *   <li>{@value #ORDER_KEY}: the key of the order in progress, stored before the order is finalized, so
 *       a new leader can finish it with the key the certificate will be issued for;</li>
 *   <li>{@value #HTTP01_PREFIX}{@code <host>} and {@value #TLSALPN01_PREFIX}{@code <host>}: the key
 *       authorizations of the challenges in progress, which every replica answers;</li>
 *   <li>annotations under {@value #ANNOTATION_PREFIX}: the order in progress, the failures in a row, the
 *       next try and the last error.</li>
 * </ul>
 */
public final class AcmeSecrets {
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "pier";

    public static final String ANNOTATION_PREFIX = "acme.pier.dev/";
    /** The hosts the certificate in tls.crt was ordered for, comma-separated. */
    public static final String HOSTS = ANNOTATION_PREFIX + "hosts";
    /** The directory URL the certificate in tls.crt came from. */
    public static final String DIRECTORY = ANNOTATION_PREFIX + "directory";
    /** The URL of the order in progress. */
    public static final String ORDER = ANNOTATION_PREFIX + "order";
    /** The hosts of the order in progress, comma-separated. */
    public static final String ORDER_HOSTS = ANNOTATION_PREFIX + "order-hosts";
    /** When the leader renews the current certificate (two thirds of its lifetime, or the CA's renewal window). */
    public static final String RENEW_AT = ANNOTATION_PREFIX + "renew-at";
    /** Failed tries in a row. */
    public static final String FAILURES = ANNOTATION_PREFIX + "failures";
    /** No try before this instant (backoff, or the CA's Retry-After). */
    public static final String RETRY_AT = ANNOTATION_PREFIX + "retry-at";
    /** The reason and message of the last failure. */
    public static final String LAST_ERROR_REASON = ANNOTATION_PREFIX + "last-error-reason";
    public static final String LAST_ERROR = ANNOTATION_PREFIX + "last-error";

    public static final String ORDER_KEY = "acme.order.key";
    public static final String HTTP01_PREFIX = "acme.http-01.";
    public static final String TLSALPN01_PREFIX = "acme.tls-alpn-01.";

    private AcmeSecrets() {
    }

    /** What translation reads of such a Secret. */
    public record State(boolean owned, boolean hasCertificate, int failures, Instant retryAt, String lastErrorReason,
                        String lastError, List<AcmeChallenge> challenges) {
        public State {
            challenges = List.copyOf(challenges);
        }
    }

    public static boolean owned(Secret secret) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL));
    }

    /** Reads the state; values Pier did not write in the expected form are ignored (as if absent). */
    public static State read(Secret secret) {
        Map<String, String> annotations = secret.getMetadata().getAnnotations() == null ? Map.of() : secret.getMetadata().getAnnotations();
        int failures = 0;
        try {
            failures = Math.max(0, Integer.parseInt(annotations.getOrDefault(FAILURES, "0")));
        } catch (NumberFormatException e) {
            // not Pier's writing: no failures known
        }
        Instant retryAt = instant(annotations.get(RETRY_AT));
        List<AcmeChallenge> challenges = new ArrayList<>();
        Map<String, String> data = data(secret);
        data.forEach((key, value) -> {
            AcmeChallenge.Type type = key.startsWith(HTTP01_PREFIX) ? AcmeChallenge.Type.HTTP_01
                    : key.startsWith(TLSALPN01_PREFIX) ? AcmeChallenge.Type.TLS_ALPN_01 : null;
            if (type == null) return;
            String host = key.substring(type == AcmeChallenge.Type.HTTP_01 ? HTTP01_PREFIX.length() : TLSALPN01_PREFIX.length());
            String keyAuthorization = value.strip();
            String token = AcmeChallenge.tokenOf(keyAuthorization);
            if (token != null && IngressRoutes.hostname(host).filter(h -> h.equals(host) && !h.startsWith("*")).isPresent()) {
                challenges.add(new AcmeChallenge(host, type, token, keyAuthorization));
            }
        });
        challenges.sort(java.util.Comparator.comparing(AcmeChallenge::hostname).thenComparing(AcmeChallenge::type));
        String crt = data.getOrDefault("tls.crt", "");
        return new State(owned(secret), !crt.isBlank(), failures, retryAt, annotations.get(LAST_ERROR_REASON),
                annotations.get(LAST_ERROR), challenges);
    }

    /** An ISO-8601 instant, or null. */
    public static Instant instant(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code data} decoded (base64, what the API server stores) merged over {@code stringData} (hand-written and file-mode Secrets). */
    public static Map<String, String> data(Secret secret) {
        Map<String, String> out = new java.util.TreeMap<>();
        if (secret.getStringData() != null) out.putAll(secret.getStringData());
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> {
                if (v == null) return;
                try {
                    out.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not base64: left out, as CertificateRefs reports for tls.crt/tls.key
                }
            });
        }
        return out;
    }
}
