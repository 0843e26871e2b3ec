package dev.pier.translate;

import dev.pier.model.AcmeChallenge;
import dev.pier.model.ObjectRef;
import java.util.List;

/**
 * One {@code tls} entry's ACME side: the Secret, whether Pier may order it (every host allowed, no
 * wildcard, the Secret is Pier's or absent, ACME configured), and how it stands, which becomes the
 * object's CertificateReady condition.
 *
 * @param ready      a certificate Pier ordered covers every host and is served
 * @param reason     the condition reason: Issued, RenewalFailing, Pending, or a problem's reason
 * @param challenges the challenge answers stored in the Secret (served only for hosts this entry wins)
 */
record AcmeRequest(ObjectRef secret, boolean orderable, boolean ready, String reason, String message,
                   List<AcmeChallenge> challenges) {
    AcmeRequest {
        challenges = List.copyOf(challenges);
    }
}
