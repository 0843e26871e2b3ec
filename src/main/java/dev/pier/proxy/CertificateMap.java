package dev.pier.proxy;

import dev.pier.model.AcmeChallenge;
import dev.pier.model.RoutingTable;
import dev.pier.model.TlsCertificate;
import dev.pier.tls.CertificateKeyPair;
import dev.pier.tls.GeneratedCertificate;
import java.time.Instant;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

/**
 * The certificates HTTPS serves, by server name: exact name, then the {@code *.parent} certificate
 * for a name one label under it, then the default. Immutable; built off the event loops when a
 * table with other certificates is applied, and read by {@link SniKeyManager} during handshakes.
 *
 * <p>Certificates come from the routing table (Secrets, via translation, ACME ones included), plus the
 * default one. The certificates that answer ACME TLS-ALPN-01 validations are kept apart, by hostname:
 * only a handshake that offers nothing but {@code acme-tls/1} gets one ({@link AcmeTlsAlpn}).
 */
final class CertificateMap {
    /** One certificate ready to serve. {@code alias} is its fingerprint, so a changed certificate is a new alias. */
    record Entry(String alias, X509Certificate[] chain, PrivateKey key, String source) {
        String keyType() {
            return key.getAlgorithm();
        }
    }

    /** A TLS-ALPN-01 challenge certificate and the key authorization it was made for. */
    private record Challenge(String keyAuthorization, Entry entry) {
    }

    private final Map<String, Entry> byHostname;
    private final Map<String, Entry> byAlias;
    private final Entry fallback;
    private final Map<String, Challenge> challenges;

    private CertificateMap(Map<String, Entry> byHostname, Map<String, Entry> byAlias, Entry fallback,
                           Map<String, Challenge> challenges) {
        this.byHostname = byHostname;
        this.byAlias = byAlias;
        this.fallback = fallback;
        this.challenges = challenges;
    }

    static CertificateMap onlyDefault(Entry generated) {
        return new CertificateMap(Map.of(), Map.of(generated.alias(), generated), generated, Map.of());
    }

    /**
     * @param generated the certificate made at start, served when the table names no default
     * @param previous  its entries are reused for certificates that did not change (no parsing again)
     */
    static CertificateMap build(RoutingTable table, Entry generated, CertificateMap previous) {
        Map<String, Entry> byHostname = new HashMap<>();
        Map<String, Entry> byAlias = new HashMap<>();
        for (TlsCertificate certificate : table.certificates()) {
            Entry entry = entry(certificate, previous);
            byAlias.put(entry.alias(), entry);
            for (String host : certificate.hostnames()) byHostname.put(host, entry);
        }
        Entry fallback = table.defaultCertificate() == null ? generated : entry(table.defaultCertificate(), previous);
        byAlias.put(fallback.alias(), fallback);
        Map<String, Challenge> challenges = new HashMap<>();
        for (AcmeChallenge c : table.acmeChallenges()) {
            if (c.type() != AcmeChallenge.Type.TLS_ALPN_01) continue;
            Challenge known = previous == null ? null : previous.challenges.get(c.hostname());
            Challenge challenge = known != null && known.keyAuthorization().equals(c.keyAuthorization()) ? known
                    : new Challenge(c.keyAuthorization(), challengeEntry(c));
            challenges.put(c.hostname(), challenge);
            byAlias.put(challenge.entry().alias(), challenge.entry());
        }
        return new CertificateMap(Map.copyOf(byHostname), Map.copyOf(byAlias), fallback, Map.copyOf(challenges));
    }

    /** A fresh self-signed certificate for one validation (a key pair per challenge, made off the event loops). */
    private static Entry challengeEntry(AcmeChallenge challenge) {
        GeneratedCertificate made = GeneratedCertificate.acmeTlsAlpnChallenge(challenge.hostname(), challenge.keyAuthorization(),
                Instant.now());
        try {
            return entry(CertificateKeyPair.parse(made.certificatePem(), made.privateKeyPem()), "ACME TLS-ALPN-01 " + challenge.hostname());
        } catch (CertificateKeyPair.InvalidCertificate e) {
            throw new IllegalStateException("a TLS-ALPN-01 certificate made here does not parse: " + e.getMessage(), e);
        }
    }

    /** The TLS-ALPN-01 certificate for a validation handshake's server name, or null when none is in progress for it. */
    Entry challenge(String serverName) {
        if (serverName == null || serverName.isEmpty()) return null;
        Challenge c = challenges.get(CompiledTable.hostKey(serverName));
        return c == null ? null : c.entry();
    }

    /** Parses what translation already checked; a failure here is a translation bug and fails the swap. */
    private static Entry entry(TlsCertificate certificate, CertificateMap previous) {
        Entry known = previous == null ? null : previous.byAlias.get(certificate.fingerprint());
        if (known != null) return known;
        try {
            return entry(CertificateKeyPair.parse(certificate.certificatePem(), certificate.privateKeyPem()),
                    certificate.secret().toString());
        } catch (CertificateKeyPair.InvalidCertificate e) {
            throw new IllegalStateException(certificate.secret() + " passed translation but does not parse: " + e.getMessage(), e);
        }
    }

    static Entry entry(CertificateKeyPair pair, String source) {
        return new Entry(pair.fingerprint(), pair.chain().toArray(X509Certificate[]::new), pair.key(), source);
    }

    /** The certificate for a handshake's server name (null or empty: none sent). */
    Entry select(String serverName) {
        if (serverName == null || serverName.isEmpty()) return fallback;
        String name = CompiledTable.hostKey(serverName);
        Entry entry = byHostname.get(name);
        if (entry == null) {
            int dot = name.indexOf('.');
            if (dot > 0) entry = byHostname.get("*" + name.substring(dot));
        }
        return entry != null ? entry : fallback;
    }

    /** How many certificates, the default included. */
    int size() {
        return byAlias.size();
    }

    Entry byAlias(String alias) {
        return byAlias.get(alias);
    }

    /** Whether both serve the same certificates for the same names. */
    boolean sameAs(CertificateMap other) {
        return other != null && byAlias.keySet().equals(other.byAlias.keySet()) && fallback.alias().equals(other.fallback.alias())
                && aliasesByHost().equals(other.aliasesByHost()) && challenges.equals(other.challenges);
    }

    private Map<String, String> aliasesByHost() {
        Map<String, String> out = new HashMap<>();
        byHostname.forEach((host, entry) -> out.put(host, entry.alias()));
        return out;
    }

    String[] aliases(String keyType) {
        return byAlias.values().stream().filter(e -> e.keyType().equals(keyType)).map(Entry::alias).toArray(String[]::new);
    }
}
