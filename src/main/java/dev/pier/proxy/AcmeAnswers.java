package dev.pier.proxy;

import dev.pier.model.AcmeChallenge;
import dev.pier.model.RoutingTable;
import java.util.HashMap;
import java.util.Map;

/**
 * The HTTP-01 answers of a table (RFC 8555 section 8.3): {@code GET /.well-known/acme-challenge/<token>}
 * on the plain HTTP port, for the host the challenge is for, is answered with its key authorization
 * before any route is looked at. Immutable; published with the table.
 */
final class AcmeAnswers {
    static final AcmeAnswers NONE = new AcmeAnswers(Map.of());

    private final Map<String, AcmeChallenge> byToken;

    private AcmeAnswers(Map<String, AcmeChallenge> byToken) {
        this.byToken = byToken;
    }

    static AcmeAnswers of(RoutingTable table) {
        Map<String, AcmeChallenge> byToken = new HashMap<>();
        for (AcmeChallenge c : table.acmeChallenges()) {
            if (c.type() == AcmeChallenge.Type.HTTP_01) byToken.put(c.token(), c);
        }
        return byToken.isEmpty() ? NONE : new AcmeAnswers(Map.copyOf(byToken));
    }

    /**
     * The answer for a request to {@code host} (as sent, any case, a port allowed) and raw {@code path},
     * or null when it is not a challenge in progress for that host.
     */
    String answer(String host, String path) {
        if (byToken.isEmpty() || path == null || !path.startsWith(HttpsRedirect.ACME_CHALLENGE_PREFIX) || host == null) return null;
        AcmeChallenge c = byToken.get(path.substring(HttpsRedirect.ACME_CHALLENGE_PREFIX.length()));
        return c != null && c.hostname().equals(CompiledTable.hostKey(host)) ? c.keyAuthorization() : null;
    }
}
