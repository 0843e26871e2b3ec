package dev.pier.acme;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How Pier talks to its ACME CA, from the {@code --acme-*} flags.
 *
 * @param directory       the CA's directory URL ({@code --acme-directory})
 * @param email           the account's contact, or null ({@code --acme-email})
 * @param agreeTos        whether the operator agrees to the CA's terms of service ({@code --acme-agree-tos})
 * @param trust           a PEM bundle trusted for the CA's own HTTPS instead of the JDK's CAs, or null ({@code --acme-trust})
 * @param eabKeyId        external account binding key id, or null ({@code --acme-eab-kid})
 * @param eabHmacKey      its base64url HMAC key, or null ({@code --acme-eab-hmac-key})
 * @param keyType         the key of each certificate ({@code --acme-key-type})
 * @param challenge       which challenge Pier answers ({@code --acme-challenge})
 * @param profile         the CA's certificate profile to ask for, or null ({@code --acme-profile})
 * @param retryBase       the wait after the first failure; doubled per failure in a row ({@code --acme-retry-base})
 * @param retryMax        the longest wait between tries ({@code --acme-retry-max})
 * @param settle          how long the leader waits, once its own data plane answers a challenge, before it asks the
 *                        CA to validate: the other replicas apply the same change within the cluster source's hold-off
 * @param storage         file mode: the directory that plays the Secrets' part ({@code --acme-storage}); null in cluster mode
 */
public record AcmeOptions(URI directory, String email, boolean agreeTos, Path trust, String eabKeyId, String eabHmacKey,
                          KeyType keyType, ChallengeType challenge, String profile, Duration retryBase, Duration retryMax,
                          Duration settle, Path storage) {

    /** The certificate key types Pier makes. */
    public enum KeyType {
        EC_P256, EC_P384, RSA_2048, RSA_4096;

        public static KeyType parse(String flag) {
            return valueOf(flag.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** The challenge types Pier answers itself. */
    public enum ChallengeType {
        /** On the HTTP port (the CA connects to port 80). */
        HTTP_01,
        /** On the HTTPS port (the CA connects to port 443), for when port 80 is closed. */
        TLS_ALPN_01;

        public static ChallengeType parse(String flag) {
            return valueOf(flag.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Let's Encrypt's production directory. */
    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");
    /** Let's Encrypt's staging directory: untrusted certificates, far higher rate limits; try here first. */
    public static final URI LETS_ENCRYPT_STAGING = URI.create("https://acme-staging-v02.api.letsencrypt.org/directory");

    public AcmeOptions {
        Objects.requireNonNull(directory, "directory");
        if (!"https".equals(directory.getScheme()) && !"http".equals(directory.getScheme()))
            throw new IllegalArgumentException("--acme-directory must be an https URL, not " + directory);
        if ((eabKeyId == null) != (eabHmacKey == null))
            throw new IllegalArgumentException("--acme-eab-kid and --acme-eab-hmac-key go together");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(challenge, "challenge");
        if (retryBase.isNegative() || retryBase.isZero() || retryMax.compareTo(retryBase) < 0)
            throw new IllegalArgumentException("--acme-retry-base must be positive and at most --acme-retry-max");
        Objects.requireNonNull(settle, "settle");
    }

    /** The defaults, for a directory: EC P-256 keys, HTTP-01, retries from a minute up to six hours, 2 s settle. */
    public static AcmeOptions defaults(URI directory) {
        return new AcmeOptions(directory, null, false, null, null, null, KeyType.EC_P256, ChallengeType.HTTP_01, null,
                Duration.ofMinutes(1), Duration.ofHours(6), Duration.ofSeconds(2), null);
    }

    public AcmeOptions withAccount(String email, boolean agreeTos) {
        return new AcmeOptions(directory, email, agreeTos, trust, eabKeyId, eabHmacKey, keyType, challenge, profile, retryBase,
                retryMax, settle, storage);
    }

    public AcmeOptions withTrust(Path pemBundle) {
        return new AcmeOptions(directory, email, agreeTos, pemBundle, eabKeyId, eabHmacKey, keyType, challenge, profile, retryBase,
                retryMax, settle, storage);
    }

    public AcmeOptions withExternalAccount(String keyId, String hmacKey) {
        return new AcmeOptions(directory, email, agreeTos, trust, keyId, hmacKey, keyType, challenge, profile, retryBase,
                retryMax, settle, storage);
    }

    public AcmeOptions withKeys(KeyType type, ChallengeType challengeType, String certificateProfile) {
        return new AcmeOptions(directory, email, agreeTos, trust, eabKeyId, eabHmacKey, type, challengeType, certificateProfile,
                retryBase, retryMax, settle, storage);
    }

    public AcmeOptions withRetry(Duration base, Duration max) {
        return new AcmeOptions(directory, email, agreeTos, trust, eabKeyId, eabHmacKey, keyType, challenge, profile, base, max,
                settle, storage);
    }

    public AcmeOptions withSettle(Duration wait) {
        return new AcmeOptions(directory, email, agreeTos, trust, eabKeyId, eabHmacKey, keyType, challenge, profile, retryBase,
                retryMax, wait, storage);
    }

    public AcmeOptions withStorage(Path directoryOfSecrets) {
        return new AcmeOptions(directory, email, agreeTos, trust, eabKeyId, eabHmacKey, keyType, challenge, profile, retryBase,
                retryMax, settle, directoryOfSecrets);
    }
}
