package dev.pier.testing;

import dev.pier.tls.CertificateKeyPair;
import dev.pier.tls.GeneratedCertificate;
import dev.pier.model.ObjectRef;
import dev.pier.model.TlsCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real TLS client for tests (the JDK's SSLSocket): handshakes with a chosen server name, reports
 * which certificate the server chose, and sends one HTTP/1.1 request over the connection. Trusts
 * every certificate, since the tests check which one was served rather than who signed it.
 */
public final class TlsClient {
    /** Shared by {@link #handshake}, so its sessions can be resumed. */
    private final SSLContext context = newContext();

    private static SSLContext newContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{TRUST_ALL}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What one connection saw. */
    public record Seen(String fingerprint, String protocol, String cipherSuite, byte[] sessionId, String statusLine, String body) {
    }

    /**
     * Connects to 127.0.0.1:{@code port}, sends {@code serverName} as SNI (null: none), optionally
     * only {@code protocol}, and GETs {@code path} with Host {@code serverName} (or "none"). A full
     * handshake every time: the JDK client would resume a session of another server name on the same
     * address and port, and then no certificate is sent.
     */
    public Seen get(int port, String serverName, String protocol, String path) throws IOException {
        try (SSLSocket socket = (SSLSocket) newContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            if (protocol != null) parameters.setProtocols(new String[]{protocol});
            parameters.setApplicationProtocols(new String[]{"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + (serverName == null ? "none" : serverName)
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n");
            int bodyAt = response.indexOf("\r\n\r\n");
            return new Seen(CertificateKeyPair.fingerprint(leaf), socket.getSession().getProtocol(),
                    socket.getSession().getCipherSuite(), socket.getSession().getId(),
                    end < 0 ? response : response.substring(0, end), bodyAt < 0 ? "" : response.substring(bodyAt + 4));
        }
    }

    /**
     * The chain the server sends for {@code serverName}, after a handshake that checks it against
     * {@code rootPem} and the name as a browser would (PKIX, hostname verification); throws when it fails.
     */
    public static X509Certificate[] verifiedChain(int port, String serverName, String rootPem) throws Exception {
        java.security.KeyStore roots = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        roots.load(null, null);
        roots.setCertificateEntry("root", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(rootPem.getBytes(StandardCharsets.US_ASCII))));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(roots);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), new SecureRandom());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate[]) socket.getSession().getPeerCertificates();
        }
    }

    /**
     * A TLS connection over {@code plain} (already connected; closed with it), handshaken with SNI
     * {@code serverName} and ALPN {@code http/1.1}, for tests that write raw HTTP/1 bytes.
     */
    public static SSLSocket http1Over(java.net.Socket plain, String serverName) throws IOException {
        SSLSocket socket = (SSLSocket) newContext().getSocketFactory().createSocket(plain, serverName, plain.getPort(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(new String[]{"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** Handshakes only (no request); the session, to compare across connections (resumption). */
    public javax.net.ssl.SSLSession handshake(int port, String serverName, String protocol) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            if (protocol != null) parameters.setProtocols(new String[]{protocol});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket.getSession();
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** A certificate for {@code names}, valid from an hour ago for a year, as the table carries it. */
    public static TlsCertificate certificate(String secretName, List<String> names) {
        return certificate(secretName, names, names);
    }

    /** @param served the hostnames the table serves it for; {@code names} what the certificate says */
    public static TlsCertificate certificate(String secretName, List<String> names, List<String> served) {
        GeneratedCertificate generated = GeneratedCertificate.selfSigned(names.isEmpty() ? "test" : names.get(0), names,
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(365)),
                GeneratedCertificate.KeyType.EC_P256);
        return fromPem(secretName, generated, served);
    }

    public static TlsCertificate fromPem(String secretName, GeneratedCertificate generated, List<String> served) {
        try {
            CertificateKeyPair pair = CertificateKeyPair.parse(generated.certificatePem(), generated.privateKeyPem());
            return new TlsCertificate(new ObjectRef("Secret", "test", secretName), served, generated.certificatePem(),
                    generated.privateKeyPem(), pair.fingerprint(), pair.notAfter());
        } catch (CertificateKeyPair.InvalidCertificate e) {
            throw new IllegalStateException(e);
        }
    }

    private static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
