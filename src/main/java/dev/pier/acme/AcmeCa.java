package dev.pier.acme;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The CA as acme4j reaches it: a session on {@code --acme-directory} (trusting only the
 * {@code --acme-trust} bundle when one is given), the account (made on first use; the CA returns
 * the existing one for a known key), and keys. Every call blocks on the network: only the ACME
 * thread uses it.
 */
final class AcmeCa {
    private final AcmeOptions options;
    private final Session session;

    AcmeCa(AcmeOptions options) throws IOException {
        this.options = options;
        this.session = options.trust() == null ? new Session(options.directory())
                : new Session(options.directory(), new TrustingProvider(sslContext(options)));
    }

    /**
     * Logs in with {@code accountKey}, registering the account when the CA does not know it: with the
     * terms of service agreed when the operator said so, the contact e-mail, and the external account
     * binding when the CA asks for one. A CA that needs what the flags do not give is refused here,
     * naming the flag, before anything is sent.
     */
    Login login(KeyPair accountKey) throws AcmeException, AccountRefused {
        var metadata = session.getMetadata();
        if (metadata.getTermsOfService().isPresent() && !options.agreeTos()) {
            throw new AccountRefused("the CA asks to agree to its terms of service (" + metadata.getTermsOfService().get()
                    + "); read them and give --acme-agree-tos");
        }
        if (metadata.isExternalAccountRequired() && options.eabKeyId() == null) {
            throw new AccountRefused("the CA asks for an external account binding; give --acme-eab-kid and --acme-eab-hmac-key"
                    + " (from the CA's account page)");
        }
        AccountBuilder account = new AccountBuilder().useKeyPair(accountKey);
        if (options.agreeTos()) account.agreeToTermsOfService();
        if (options.email() != null && !options.email().isBlank()) account.addEmail(options.email());
        if (options.eabKeyId() != null) account.withKeyIdentifier(options.eabKeyId(), options.eabHmacKey());
        return account.createLogin(session);
    }

    /** Whether the CA serves renewal information (ARI, RFC 9773). */
    boolean hasRenewalInfo() throws AcmeException {
        return session.resourceUrlOptional(Resource.RENEWAL_INFO).isPresent();
    }

    /**
     * A new key of the configured type for a certificate, from the JDK's providers (acme4j's own key
     * helper needs the Bouncy Castle provider registered, which would change every key Pier parses).
     */
    KeyPair newCertificateKey() {
        return switch (options.keyType()) {
            case EC_P256 -> ecKey("secp256r1");
            case EC_P384 -> ecKey("secp384r1");
            case RSA_2048 -> rsaKey(2048);
            case RSA_4096 -> rsaKey(4096);
        };
    }

    /** The account key: EC P-256 whatever the certificates use. */
    static KeyPair newAccountKey() {
        return ecKey("secp256r1");
    }

    private static KeyPair ecKey(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK makes no " + curve + " keys", e);
        }
    }

    private static KeyPair rsaKey(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK makes no RSA keys", e);
        }
    }

    /**
     * PEM of the private key alone (PKCS#8 {@code PRIVATE KEY}), as a TLS Secret's {@code tls.key}
     * holds it.
     */
    static String privatePem(KeyPair keys) {
        try {
            return write(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("writing a key to a string", e);
        }
    }

    /**
     * PEM of a key pair kept for later (the account key, an order's key): the private key (PKCS#8)
     * then the public key, since the JDK cannot derive an EC public key from the private one.
     */
    static String pem(KeyPair keys) {
        return privatePem(keys) + write(keys.getPublic());
    }

    private static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(value);
        } catch (IOException e) {
            throw new IllegalStateException("writing a key to a string", e);
        }
        return out.toString();
    }

    /** Reads what {@link #pem} wrote. */
    static KeyPair keyPair(String pem) throws IOException {
        PrivateKey privateKey = null;
        PublicKey publicKey = null;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) privateKey = converter.getPrivateKey(info);
                else if (o instanceof SubjectPublicKeyInfo info) publicKey = converter.getPublicKey(info);
                else if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair);
            }
        }
        if (privateKey == null || publicKey == null) throw new IOException("not a PEM key pair (a private and a public key)");
        return new KeyPair(publicKey, privateKey);
    }

    /** A configuration the CA will not take (terms not agreed, no external account binding). */
    static final class AccountRefused extends Exception {
        AccountRefused(String message) {
            super(message);
        }
    }

    private static SSLContext sslContext(AcmeOptions options) throws IOException {
        try (InputStream in = Files.newInputStream(options.trust())) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) throw new IOException("--acme-trust " + options.trust() + " holds no PEM certificate");
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates) store.setCertificateEntry("trusted-" + i++, c);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("--acme-trust " + options.trust() + ": " + e.getMessage(), e);
        }
    }

    /** acme4j's generic provider, with HTTPS that trusts only the given bundle. */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext trust;

        TrustingProvider(SSLContext trust) {
            this.trust = trust;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    return super.createClientBuilder().sslContext(trust);
                }
            };
        }
    }
}
