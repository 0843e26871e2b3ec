package dev.pier.proxy;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the certificate of each handshake from the live {@link CertificateMap} by the server
 * name the client sent (SNI). One key manager serves every host, so one SSL context serves them
 * all and a new map takes effect at the next handshake, with no context rebuilt and nothing
 * rebound: the JDK engine and Netty's OpenSSL engine both ask the key manager during the
 * handshake, after the ClientHello is read.
 *
 * <p>A handshake that offers only {@code acme-tls/1} is an ACME validation ({@link AcmeTlsAlpn}) and
 * gets the challenge certificate for its name while one is in progress.
 *
 * <p>Aliases are certificate fingerprints. A map swapped between "choose" and "get" is covered by
 * also looking in the map it replaced.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
    private final Supplier<CertificateMap> live;
    private final Supplier<CertificateMap> replaced;

    SniKeyManager(Supplier<CertificateMap> live, Supplier<CertificateMap> replaced) {
        this.live = live;
        this.replaced = replaced;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, socket instanceof javax.net.ssl.SSLSocket s ? s.getHandshakeSession() : null);
    }

    private String choose(String keyType, SSLSession handshake) {
        CertificateMap map = live.get();
        String name = serverName(handshake);
        CertificateMap.Entry entry = AcmeTlsAlpn.validationHandshake() ? map.challenge(name) : null;
        if (entry == null) entry = map.select(name);
        // The engine asks once per key type the handshake allows; answer only for the one the certificate has.
        return entry.keyType().equals(keyType) ? entry.alias() : null;
    }

    /** The host name the client asked for, or null when it sent none. */
    static String serverName(SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession extended)) return null;
        for (SNIServerName name : extended.getRequestedServerNames()) {
            if (name.getType() != StandardConstants.SNI_HOST_NAME) continue;
            return name instanceof SNIHostName host ? host.getAsciiName() : new String(name.getEncoded(), StandardCharsets.US_ASCII);
        }
        return null;
    }

    private CertificateMap.Entry byAlias(String alias) {
        if (alias == null) return null;
        CertificateMap.Entry entry = live.get().byAlias(alias);
        if (entry == null) {
            CertificateMap before = replaced.get();
            entry = before == null ? null : before.byAlias(alias);
        }
        return entry;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertificateMap.Entry entry = byAlias(alias);
        return entry == null ? null : entry.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertificateMap.Entry entry = byAlias(alias);
        return entry == null ? null : entry.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return live.get().aliases(keyType);
    }

    // A server without client certificates: nothing to offer as a client.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
