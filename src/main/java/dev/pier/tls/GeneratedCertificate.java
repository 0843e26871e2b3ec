package dev.pier.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate made here: the one Pier serves when no default certificate is named
 * (clients see an untrusted certificate instead of a refused handshake, as with ingress-nginx's
 * fake certificate), and the certificates the tests make.
 *
 * @param certificatePem the certificate, PEM
 * @param privateKeyPem  its key, PKCS#8 PEM
 */
public record GeneratedCertificate(String certificatePem, String privateKeyPem) {
    /** Key algorithms the generator makes. */
    public enum KeyType { EC_P256, RSA_2048 }

    @Override
    public String toString() {
        return "GeneratedCertificate[...]"; // never the key
    }

    /**
     * @param commonName the subject's CN
     * @param dnsNames   subject alternative names (what clients check); may hold {@code *.example.com}
     */
    public static GeneratedCertificate selfSigned(String commonName, List<String> dnsNames, Instant notBefore,
                                                  Instant notAfter, KeyType keyType) {
        try {
            KeyPair keys = keyPair(keyType);
            return new GeneratedCertificate(pem(sign(commonName, dnsNames, notBefore, notAfter, keys, null)), pem(keys.getPrivate()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** id-pe-acmeIdentifier (RFC 8737 section 6.1): the extension a TLS-ALPN-01 challenge certificate carries. */
    public static final String ACME_IDENTIFIER_OID = "1.3.6.1.5.5.7.1.31";

    /**
     * The certificate that answers a TLS-ALPN-01 validation of {@code host} (RFC 8737 section 3):
     * self-signed, {@code host} as its only name, and the critical acmeIdentifier extension holding
     * the SHA-256 of the key authorization. Valid for a week from an hour ago; a new key each time.
     */
    public static GeneratedCertificate acmeTlsAlpnChallenge(String host, String keyAuthorization, Instant now) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthorization.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            KeyPair keys = keyPair(KeyType.EC_P256);
            Extension acme = new Extension(new org.bouncycastle.asn1.ASN1ObjectIdentifier(ACME_IDENTIFIER_OID), true,
                    new org.bouncycastle.asn1.DEROctetString(digest).getEncoded());
            return new GeneratedCertificate(pem(sign("ACME challenge " + host, List.of(host), now.minus(java.time.Duration.ofHours(1)),
                    now.plus(java.time.Duration.ofDays(7)), keys, acme)), pem(keys.getPrivate()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a TLS-ALPN-01 certificate: " + e.getMessage(), e);
        }
    }

    /** The same certificate with another key: a Secret whose key does not belong to its certificate. */
    public GeneratedCertificate withKeyOf(GeneratedCertificate other) {
        return new GeneratedCertificate(certificatePem, other.privateKeyPem);
    }

    private static KeyPair keyPair(KeyType type) throws GeneralSecurityException {
        KeyPairGenerator generator;
        if (type == KeyType.RSA_2048) {
            generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
        } else {
            generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        return generator.generateKeyPair();
    }

    private static X509CertificateHolder sign(String commonName, List<String> dnsNames, Instant notBefore, Instant notAfter,
                                              KeyPair keys, Extension extra) throws IOException, OperatorCreationException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        BigInteger serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore),
                Date.from(notAfter), subject, keys.getPublic());
        if (!dnsNames.isEmpty()) {
            GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        if (extra != null) builder.addExtension(extra);
        String algorithm = keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate()));
    }

    private static String pem(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            // A PrivateKey is written as PKCS#8 ("PRIVATE KEY"), the form every TLS stack reads.
            writer.writeObject(value instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate() : value);
        }
        return out.toString();
    }
}
