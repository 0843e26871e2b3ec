package dev.pier.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A certificate chain and its private key, read from PEM as a TLS Secret holds them ({@code tls.crt},
 * {@code tls.key}): the key as PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. {@link #parse} checks
 * what can be checked without a clock (both parse, the key belongs to the first certificate); the
 * validity window is the caller's to judge, since translation takes the time as an input.
 *
 * <p>Messages never quote the key: a key that does not parse is reported as not parsing, nothing more.
 */
public record CertificateKeyPair(List<X509Certificate> chain, PrivateKey key, String fingerprint,
                                 Instant notBefore, Instant notAfter, List<String> dnsNames) {
    public CertificateKeyPair {
        chain = List.copyOf(chain);
        dnsNames = List.copyOf(dnsNames);
    }

    /** Why a certificate and key cannot be served; the message is for people and names the Secret key at fault. */
    public static final class InvalidCertificate extends Exception {
        public InvalidCertificate(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "CertificateKeyPair[" + fingerprint + " until " + notAfter + " " + dnsNames + "]"; // never the key
    }

    public static CertificateKeyPair parse(String certificatePem, String privateKeyPem) throws InvalidCertificate {
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKey key = privateKey(privateKeyPem);
        X509Certificate leaf = chain.get(0);
        if (!belongTogether(leaf.getPublicKey(), key)) {
            throw new InvalidCertificate("tls.key does not belong to the first certificate in tls.crt (their public keys differ)");
        }
        return new CertificateKeyPair(chain, key, fingerprint(leaf), leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant(), dnsNames(leaf));
    }

    /**
     * The SHA-256 of the certificate's DER encoding as {@code openssl x509 -noout -fingerprint -sha256}
     * prints it ({@code 17:E6:3D:...}): the one form every view and message shows.
     */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("SHA-256 of a parsed certificate", e); // every JDK has SHA-256
        }
    }

    /**
     * Whether the certificate's names cover {@code hostname} as a TLS client checks it: the same name,
     * or a {@code *.parent} name for a host exactly one label under {@code parent}. A wildcard
     * hostname is covered only by the same wildcard.
     */
    public boolean covers(String hostname) {
        String host = hostname.toLowerCase(Locale.ROOT);
        for (String name : dnsNames) {
            if (name.equals(host)) return true;
            if (name.startsWith("*.") && !host.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(name.substring(2))) return true;
            }
        }
        return false;
    }

    private static List<X509Certificate> certificates(String pem) throws InvalidCertificate {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new InvalidCertificate("tls.crt is missing or holds no PEM certificate");
        }
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) out.add(converter.getCertificate(holder));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new InvalidCertificate("tls.crt does not parse as PEM X.509 certificates");
        }
        if (out.isEmpty()) throw new InvalidCertificate("tls.crt is missing or holds no PEM certificate");
        return out;
    }

    private static PrivateKey privateKey(String pem) throws InvalidCertificate {
        if (pem == null || !pem.contains("-----BEGIN")) {
            throw new InvalidCertificate("tls.key is missing or holds no PEM private key");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                // The private part alone: SEC1 may leave out the public key, which a key pair would need.
                if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
                if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new InvalidCertificate("tls.key is encrypted; a TLS Secret holds its key unencrypted");
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidCertificate("tls.key does not parse as a PEM private key (PKCS#8, PKCS#1 or SEC1)");
        }
        throw new InvalidCertificate("tls.key is missing or holds no PEM private key");
    }

    /** RSA keys compare their modulus; other kinds sign a message the certificate's key must verify. */
    private static boolean belongTogether(PublicKey publicKey, PrivateKey privateKey) {
        if (publicKey instanceof RSAPublicKey rsa && privateKey instanceof RSAPrivateCrtKey crt) {
            return rsa.getModulus().equals(crt.getModulus()) && rsa.getPublicExponent().equals(crt.getPublicExponent());
        }
        if (!publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) return false;
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> privateKey.getAlgorithm(); // Ed25519, Ed448: the algorithm is the signature
        };
        try {
            byte[] message = "pier: does this key belong to this certificate".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static List<String> dnsNames(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        try {
            var alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0)) && entry.get(1) instanceof String name) {
                        out.add(name.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable names: nothing is covered, which the caller reports
        }
        return out;
    }
}
