package dev.pier.translate;

import dev.pier.api.GatewayRouteConditions;
import dev.pier.model.AcmeChallenge;
import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import dev.pier.model.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS claim of an entry that asks for an ACME certificate (GatewayRoute {@code acme: true},
 * Ingress {@code pier.dev/acme: "true"}). Pure: what the leader does is read back from the Secret
 * ({@link AcmeSecrets}), so every replica computes the same claim, condition and challenge answers.
 * A host is ordered only when the object asks and the operator's allowlist allows it; anything
 * refused is a CertificateReady problem naming the field, and no order is placed.
 */
final class AcmeClaims {
    private final AcmePolicy policy;
    private final CertificateRefs certificates;

    AcmeClaims(AcmePolicy policy, CertificateRefs certificates) {
        this.policy = policy;
        this.certificates = certificates;
    }

    /** @param hosts the entry's valid hosts, sorted */
    TlsClaim claim(ObjectRef object, String createdAt, boolean deleting, String field, String namespace, String secretName,
                   List<String> hosts, ObjectProblems problems) {
        ObjectRef secretRef = new ObjectRef("Secret", namespace, secretName);
        String what = "Secret " + namespace + "/" + secretName;
        Secret secret = certificates.secret(namespace, secretName);
        String refusal = null;
        if (!policy.enabled()) {
            refusal = Problem.ACME_NOT_CONFIGURED;
            problems.certificateNotReady(field + ".acme", refusal, "this Pier orders no certificates (no --acme-directory);"
                    + " " + what + " is served if someone else provides it");
        }
        List<String> wildcards = hosts.stream().filter(h -> h.startsWith("*.")).toList();
        if (refusal == null && !wildcards.isEmpty()) {
            refusal = Problem.UNSUPPORTED_HOST;
            problems.certificateNotReady(field, refusal, "wildcard hosts " + wildcards + " can only be validated over DNS-01,"
                    + " which Pier does not do; no certificate is ordered");
        }
        List<String> refused = hosts.stream().filter(h -> !h.startsWith("*.") && !policy.allowlist().allows(h)).toList();
        if (refusal == null && !refused.isEmpty()) {
            refusal = Problem.HOST_NOT_ALLOWED;
            problems.certificateNotReady(field, refusal, "hosts " + refused + " are not on the operator's ACME allowlist"
                    + " (--acme-allow-host); no certificate is ordered");
        }
        boolean owned = secret == null || AcmeSecrets.owned(secret);
        if (refusal == null && !owned) {
            refusal = Problem.SECRET_NOT_OWNED;
            problems.certificateNotReady(field + ".secretName", refusal, what + " exists and is not Pier's (no label "
                    + AcmeSecrets.MANAGED_BY_LABEL + "=" + AcmeSecrets.MANAGED_BY + "), so Pier orders no certificate into it;"
                    + " delete it or name another Secret");
        }
        AcmeSecrets.State state = secret == null || !owned ? null : AcmeSecrets.read(secret);
        TlsCertificate served = null;
        List<String> uncovered = hosts;
        if (secret != null && (!owned || state.hasCertificate())) {
            // Someone else's Secret is served as any TLS Secret is; Pier's own one once it holds a certificate.
            var resolved = certificates.resolve(namespace, secretName, hosts, field + ".secretName",
                    "its hosts get the default certificate", problems, !owned);
            if (resolved.isPresent()) {
                served = resolved.get().certificate();
                uncovered = resolved.get().uncovered();
            }
        }
        List<AcmeChallenge> challenges = state == null ? List.of() : state.challenges();
        if (refusal != null) {
            return new TlsClaim(object, createdAt, deleting, field, hosts, served,
                    new AcmeRequest(secretRef, false, false, refusal, null, List.of()));
        }
        AcmeRequest request;
        String next = state == null || state.retryAt() == null ? "" : "; next try at " + state.retryAt();
        String lastError = state == null ? "" : (state.lastError() == null ? "unknown error" : state.lastError())
                + " (" + state.failures() + (state.failures() == 1 ? " try" : " tries") + " failed" + next + ")";
        if (served != null && uncovered.isEmpty()) {
            String valid = what + ": certificate " + served.fingerprint() + " valid until " + served.notAfter();
            if (state.failures() > 0) {
                problems.warning(field, Problem.RENEWAL_FAILING, what + ": renewing failed: " + lastError
                        + "; the current certificate is served until " + served.notAfter());
                request = new AcmeRequest(secretRef, true, true, GatewayRouteConditions.REASON_RENEWAL_FAILING,
                        valid + "; renewing failed: " + lastError, challenges);
            } else {
                request = new AcmeRequest(secretRef, true, true, GatewayRouteConditions.REASON_ISSUED, valid, challenges);
            }
        } else if (state != null && state.failures() > 0) {
            problems.certificateNotReady(field, Problem.ORDER_FAILED, what + ": ordering the certificate for " + hosts
                    + " failed: " + lastError + "; its hosts get the default certificate meanwhile");
            request = new AcmeRequest(secretRef, true, false, Problem.ORDER_FAILED, null, challenges);
        } else {
            request = new AcmeRequest(secretRef, true, false, GatewayRouteConditions.REASON_PENDING, what + ": no certificate for "
                    + (served == null ? hosts : uncovered) + " yet; the leader orders it", challenges);
        }
        return new TlsClaim(object, createdAt, deleting, field, hosts, served, request);
    }

    /** The strict reading of a boolean annotation: "true" or "false"; anything else is reported and counts as false. */
    static boolean annotationFlag(java.util.Map<String, String> annotations, String key, ObjectProblems problems) {
        String value = annotations == null ? null : annotations.get(key);
        if (value == null || value.equals("false")) return false;
        if (value.equals("true")) return true;
        problems.warning("metadata.annotations[" + key + "]", Problem.INVALID, "\"" + value
                + "\" is neither \"true\" nor \"false\"; it counts as \"false\"");
        return false;
    }

    /** The ACME requests among {@code claims}, in order. */
    static List<AcmeRequest> requests(List<TlsClaim> claims) {
        List<AcmeRequest> out = new ArrayList<>();
        for (TlsClaim c : claims) if (c.acme() != null) out.add(c.acme());
        return out;
    }
}
