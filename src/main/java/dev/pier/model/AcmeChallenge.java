package dev.pier.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An ACME challenge answer every replica serves while the CA validates a host (RFC 8555 section 8):
 * HTTP-01 answers {@code GET /.well-known/acme-challenge/<token>} on the HTTP port with the key
 * authorization; TLS-ALPN-01 (RFC 8737) answers a TLS handshake for {@code hostname} that offers only
 * the {@code acme-tls/1} protocol with a certificate carrying the key authorization's SHA-256.
 *
 * @param keyAuthorization {@code <token>.<account key thumbprint>}: not a secret (the CA fetches it
 *                         over plain HTTP), but only the leader that ordered knows it
 */
public record AcmeChallenge(String hostname, Type type, String token, String keyAuthorization) {
    /** The challenge types Pier answers (DNS-01 needs a DNS provider, which Pier does not have). */
    public enum Type { HTTP_01, TLS_ALPN_01 }

    /** RFC 8555 section 8.1: tokens are base64url without padding. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");

    public AcmeChallenge {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(type, "type");
        if (token == null || !TOKEN.matcher(token).matches()) throw new IllegalArgumentException("not an ACME token: " + token);
        if (keyAuthorization == null || !keyAuthorization.startsWith(token + ".") || keyAuthorization.length() > 1024)
            throw new IllegalArgumentException("the key authorization of " + hostname + " does not start with its token");
    }

    /** The token of a key authorization ({@code token.thumbprint}), or null when it is not one. */
    public static String tokenOf(String keyAuthorization) {
        int dot = keyAuthorization == null ? -1 : keyAuthorization.indexOf('.');
        if (dot <= 0) return null;
        String token = keyAuthorization.substring(0, dot);
        return TOKEN.matcher(token).matches() && keyAuthorization.length() > dot + 1 ? token : null;
    }
}
