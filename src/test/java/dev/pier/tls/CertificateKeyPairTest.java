package dev.pier.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;

/** Every key form a TLS Secret holds, and every way a certificate and key fail to be servable. */
class CertificateKeyPairTest {
    private static final Instant FROM = Instant.now().minus(Duration.ofHours(1));
    private static final Instant UNTIL = Instant.now().plus(Duration.ofDays(1));

    private static GeneratedCertificate make(String host, GeneratedCertificate.KeyType type) {
        return GeneratedCertificate.selfSigned(host, List.of(host, "*." + host), FROM, UNTIL, type);
    }

    /** The key in OpenSSL's traditional form: PKCS#1 for RSA; SEC1 for EC, with its curve and without the optional public key. */
    private static String traditional(GeneratedCertificate c) throws Exception {
        CertificateKeyPair pair = CertificateKeyPair.parse(c.certificatePem(), c.privateKeyPem());
        if (pair.key().getAlgorithm().equals("EC")) {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.key().getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            byte[] sec1 = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
            return "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n";
        }
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pair.key());
        }
        return out.toString();
    }

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
        GeneratedCertificate rsa = make("rsa.example.com", GeneratedCertificate.KeyType.RSA_2048);
        GeneratedCertificate ec = make("ec.example.com", GeneratedCertificate.KeyType.EC_P256);
        assertThat(rsa.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        String pkcs1 = traditional(rsa);
        String sec1 = traditional(ec);
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");

        CertificateKeyPair fromPkcs8 = CertificateKeyPair.parse(rsa.certificatePem(), rsa.privateKeyPem());
        CertificateKeyPair fromPkcs1 = CertificateKeyPair.parse(rsa.certificatePem(), pkcs1);
        CertificateKeyPair fromSec1 = CertificateKeyPair.parse(ec.certificatePem(), sec1);
        assertThat(fromPkcs1.key().getEncoded()).isEqualTo(fromPkcs8.key().getEncoded());
        assertThat(fromSec1.key().getAlgorithm()).isEqualTo("EC");
        assertThat(fromPkcs8.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"); // as openssl prints it
        assertThat(fromPkcs8.notAfter()).isEqualTo(UNTIL.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(fromPkcs8.dnsNames()).containsExactly("rsa.example.com", "*.rsa.example.com");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedForRsaAndEc() {
        for (GeneratedCertificate.KeyType type : GeneratedCertificate.KeyType.values()) {
            GeneratedCertificate mixed = make("a.example.com", type).withKeyOf(make("b.example.com", type));
            assertThatThrownBy(() -> CertificateKeyPair.parse(mixed.certificatePem(), mixed.privateKeyPem()))
                    .as(type.name()).hasMessage("tls.key does not belong to the first certificate in tls.crt (their public keys differ)");
        }
        GeneratedCertificate crossed = make("a.example.com", GeneratedCertificate.KeyType.RSA_2048)
                .withKeyOf(make("b.example.com", GeneratedCertificate.KeyType.EC_P256));
        assertThatThrownBy(() -> CertificateKeyPair.parse(crossed.certificatePem(), crossed.privateKeyPem()))
                .hasMessageContaining("does not belong");
    }

    @Test
    void refusesWhatIsNotACertificateAndAnUnencryptedKeyWithoutQuotingTheKey() throws Exception {
        GeneratedCertificate c = make("a.example.com", GeneratedCertificate.KeyType.EC_P256);
        assertThatThrownBy(() -> CertificateKeyPair.parse(null, c.privateKeyPem())).hasMessage("tls.crt is missing or holds no PEM certificate");
        assertThatThrownBy(() -> CertificateKeyPair.parse("hello", c.privateKeyPem())).hasMessage("tls.crt is missing or holds no PEM certificate");
        assertThatThrownBy(() -> CertificateKeyPair.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                c.privateKeyPem())).hasMessage("tls.crt does not parse as PEM X.509 certificates");
        assertThatThrownBy(() -> CertificateKeyPair.parse(c.certificatePem(), null)).hasMessage("tls.key is missing or holds no PEM private key");
        String broken = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> CertificateKeyPair.parse(c.certificatePem(), broken))
                .hasMessage("tls.key does not parse as a PEM private key (PKCS#8, PKCS#1 or SEC1)");
        assertThatThrownBy(() -> CertificateKeyPair.parse(c.certificatePem(), c.certificatePem()))
                .as("a certificate where the key should be").hasMessage("tls.key is missing or holds no PEM private key");

        CertificateKeyPair pair = CertificateKeyPair.parse(c.certificatePem(), c.privateKeyPem());
        StringWriter encrypted = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(encrypted)) {
            writer.writeObject(new JcaPKCS8Generator(pair.key(), new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(new BouncyCastleProvider()).setPassword("pw".toCharArray()).build()).generate());
        }
        assertThatThrownBy(() -> CertificateKeyPair.parse(c.certificatePem(), encrypted.toString()))
                .hasMessage("tls.key is encrypted; a TLS Secret holds its key unencrypted");
        assertThat(pair.toString()).doesNotContain(c.privateKeyPem().lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void theFirstCertificateIsTheServersAndTheRestItsChain() throws Exception {
        GeneratedCertificate server = make("a.example.com", GeneratedCertificate.KeyType.EC_P256);
        GeneratedCertificate other = make("ca.example.com", GeneratedCertificate.KeyType.EC_P256);
        CertificateKeyPair pair = CertificateKeyPair.parse(server.certificatePem() + other.certificatePem(), server.privateKeyPem());
        assertThat(pair.chain()).hasSize(2);
        assertThatThrownBy(() -> CertificateKeyPair.parse(other.certificatePem() + server.certificatePem(), server.privateKeyPem()))
                .hasMessageContaining("does not belong to the first certificate");
    }

    @Test
    void coversNamesAsTlsClientsCheckThem() throws Exception {
        GeneratedCertificate c = make("example.com", GeneratedCertificate.KeyType.EC_P256); // example.com, *.example.com
        CertificateKeyPair pair = CertificateKeyPair.parse(c.certificatePem(), c.privateKeyPem());
        assertThat(pair.covers("example.com")).isTrue();
        assertThat(pair.covers("A.Example.com")).isTrue();
        assertThat(pair.covers("*.example.com")).isTrue();
        assertThat(pair.covers("a.b.example.com")).isFalse();
        assertThat(pair.covers("example.org")).isFalse();
    }
}
