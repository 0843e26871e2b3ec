package dev.pier.proxy;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS half of the HTTPS listener, on top of the options both listeners share: TLS 1.2 and 1.3
 * only, Mozilla's "intermediate" cipher suites (those the engine has), ALPN {@code h2} then
 * {@code http/1.1}, session resumption (the engines' session caches and tickets), and the
 * certificate chosen per handshake by {@link SniKeyManager}.
 *
 * <p>Vert.x's own SNI support ({@code setSni}) is left off on purpose: it builds one SSL context per
 * server name and keeps 16 of them, so more hosts than that would build contexts during handshakes.
 * One context whose key manager reads the live map scales with the number of hosts and swaps with
 * the table. {@link #refresh} replaces that context after the certificates change (through
 * {@code updateSSLOptions}, no rebind): the OpenSSL engine caches each certificate's native form in
 * its context, and a fresh one keeps that cache to the certificates in use.
 */
final class HttpsSetup {
    /** Protocol versions: TLS 1.0 and 1.1 are refused. */
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    /**
     * Mozilla's "intermediate" configuration (server side TLS guidelines, version 5.7), in its order,
     * by IANA name: TLS 1.3's three, then TLS 1.2's ECDHE and DHE AEAD suites. BoringSSL has no DHE.
     */
    static final List<String> INTERMEDIATE_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Native key material cached per certificate in an OpenSSL context; a refresh starts a new cache. */
    private static final int OPENSSL_CACHED_CERTIFICATES = 4096;

    private final TlsEngine engine;
    private final SniKeyManager keyManager;
    private final boolean acmeTlsAlpn;
    private final LiveKeyCert keyCert = new LiveKeyCert();

    /**
     * @param engine      OPENSSL or JDK (resolved)
     * @param acmeTlsAlpn answer ACME TLS-ALPN-01 validations ({@link AcmeTlsAlpn}); off without ACME
     */
    HttpsSetup(TlsEngine engine, SniKeyManager keyManager, boolean acmeTlsAlpn) {
        if (engine == TlsEngine.AUTO) throw new IllegalArgumentException("resolve the engine first");
        this.engine = engine;
        this.keyManager = keyManager;
        this.acmeTlsAlpn = acmeTlsAlpn;
    }

    TlsEngine engine() {
        return engine;
    }

    /** {@code base} (the listeners' shared options) made the HTTPS listener's. */
    HttpServerOptions apply(HttpServerOptions base) {
        HttpServerOptions options = new HttpServerOptions(base)
                .setSsl(true)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2")))
                .setKeyCertOptions(keyCert)
                .setSslEngineOptions(acmeTlsAlpn ? AcmeTlsAlpn.options(engine) : engine == TlsEngine.OPENSSL
                        ? new OpenSSLEngineOptions().setSessionCacheEnabled(true) : new JdkSSLEngineOptions());
        for (String suite : cipherSuites(engine)) options.addEnabledCipherSuite(suite);
        return options;
    }

    /** The intermediate suites this engine implements, in order. */
    static List<String> cipherSuites(TlsEngine engine) {
        if (engine == TlsEngine.OPENSSL) {
            return INTERMEDIATE_CIPHER_SUITES.stream().filter(OpenSsl::isCipherSuiteAvailable).toList();
        }
        try {
            Set<String> supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
            return INTERMEDIATE_CIPHER_SUITES.stream().filter(supported::contains).toList();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    /** The SSL options to hand {@code updateSSLOptions(options, true)} for a fresh context with the same settings. */
    static ServerSSLOptions refreshOptions(HttpServerOptions httpsOptions) {
        return httpsOptions.getSslOptions().copy();
    }

    /**
     * Gives Vert.x a key manager factory over {@link SniKeyManager}; its identity is the cache key
     * Vert.x keeps contexts under, so {@code copy()} returns itself and a forced update builds anew.
     */
    private final class LiveKeyCert implements KeyCertOptions {
        @Override
        public KeyCertOptions copy() {
            return this;
        }

        @Override
        public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
            KeyManagerFactory factory = new KeyManagerFactoryWrapper(keyManager);
            return engine == TlsEngine.OPENSSL ? new OpenSslCachingX509KeyManagerFactory(factory, OPENSSL_CACHED_CERTIFICATES) : factory;
        }

        @Override
        public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) {
            return null; // one context for every name: the key manager picks by SNI
        }
    }
}
