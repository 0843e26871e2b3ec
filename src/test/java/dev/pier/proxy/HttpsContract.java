package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.HttpsPolicy;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RoutingTable;
import dev.pier.model.TlsCertificate;
import dev.pier.model.VirtualHost;
import dev.pier.testing.TlsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS as clients meet it, on loopback, for one TLS engine (the subclasses pick OpenSSL or the
 * JDK): the certificate chosen by SNI (exact, one-label wildcard, default for unknown or absent
 * names), TLS 1.0/1.1 refused, ALPN h2, session resumption, certificates rotated under load with
 * no failed request, the plain-HTTP redirect with its ACME exemption, and HSTS.
 */
abstract class HttpsContract {
    abstract TlsEngine engine();

    Fixture f;
    int https;
    final TlsClient tls = new TlsClient();
    final TlsCertificate shop = TlsClient.certificate("shop", List.of("shop.example.com"));
    final TlsCertificate wildcard = TlsClient.certificate("wild", List.of("*.example.com"));

    @BeforeEach
    void start() {
        ProxyOptions options = new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                ProxyOptions.DEFAULT_SERVER_HEADER).withHttps(0, 8443, engine());
        f = new Fixture(new SimpleMeterRegistry(), options);
        https = f.plane.httpsPort();
        assertThat(f.plane.tlsEngine()).isEqualTo(engine());
        f.endpoints("app", f.backend("app"));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static Route appRoute(String id, HttpsPolicy policy) {
        return route(id, PathMatch.prefix("/"), "app").withHttps(policy);
    }

    private void serve(List<TlsCertificate> certificates, TlsCertificate defaultCertificate, HttpsPolicy policy) {
        f.plane.apply(new RoutingTable(List.of(
                new VirtualHost("shop.example.com", List.of(appRoute("shop", policy))),
                new VirtualHost("*.example.com", List.of(appRoute("wild", policy))),
                new VirtualHost("plain.example.org", List.of(appRoute("plain", HttpsPolicy.NONE)))),
                null, certificates, defaultCertificate));
    }

    private void serve(List<TlsCertificate> certificates) {
        serve(certificates, null, HttpsPolicy.NONE);
    }

    @Test
    void choosesTheCertificateByServerName() throws Exception {
        serve(List.of(shop, wildcard));
        TlsClient.Seen exact = tls.get(https, "shop.example.com", null, "/");
        assertThat(exact.fingerprint()).isEqualTo(shop.fingerprint());
        assertThat(exact.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(exact.body()).contains("\"backend\":\"app\"", "\"x-forwarded-proto\":\"https\"");

        assertThat(tls.get(https, "a.example.com", null, "/").fingerprint()).as("one label under the wildcard")
                .isEqualTo(wildcard.fingerprint());
        assertThat(tls.get(https, "SHOP.Example.COM", null, "/").fingerprint()).as("names are case-insensitive")
                .isEqualTo(shop.fingerprint());

        String generated = tls.get(https, "unknown.example.org", null, "/").fingerprint();
        assertThat(generated).as("an unknown name gets the generated default").isNotIn(shop.fingerprint(), wildcard.fingerprint());
        assertThat(tls.get(https, "a.b.example.com", null, "/").fingerprint()).as("a wildcard covers one label only")
                .isEqualTo(generated);
        assertThat(tls.get(https, null, null, "/").fingerprint()).as("no SNI at all").isEqualTo(generated);
    }

    @Test
    void aNamedDefaultCertificateAnswersUnknownAndAbsentNames() throws Exception {
        TlsCertificate fallback = TlsClient.certificate("default", List.of("fallback.example.net"), List.of());
        serve(List.of(shop), fallback, HttpsPolicy.NONE);
        assertThat(tls.get(https, "unknown.example.org", null, "/").fingerprint()).isEqualTo(fallback.fingerprint());
        assertThat(tls.get(https, null, null, "/").fingerprint()).isEqualTo(fallback.fingerprint());
        assertThat(tls.get(https, "shop.example.com", null, "/").fingerprint()).isEqualTo(shop.fingerprint());
    }

    @Test
    void speaksTls12AndTls13AndRefusesTls10And11() throws Exception {
        serve(List.of(shop));
        assertThat(tls.get(https, "shop.example.com", "TLSv1.3", "/").protocol()).isEqualTo("TLSv1.3");
        TlsClient.Seen v12 = tls.get(https, "shop.example.com", "TLSv1.2", "/");
        assertThat(v12.protocol()).isEqualTo("TLSv1.2");
        assertThat(HttpsSetup.INTERMEDIATE_CIPHER_SUITES).contains(v12.cipherSuite());
        // The JDK client refuses to offer TLS 1.0/1.1 itself; BoringSSL (netty-tcnative) still can.
        assertThat(handshakeWithOpenSslClient("TLSv1.2")).isNull();
        assertThat(handshakeWithOpenSslClient("TLSv1.1")).as("TLS 1.1 refused").isInstanceOf(SSLException.class);
        assertThat(handshakeWithOpenSslClient("TLSv1")).as("TLS 1.0 refused").isInstanceOf(SSLException.class);
    }

    /** Null when the handshake succeeded, else why it failed. */
    private Throwable handshakeWithOpenSslClient(String protocol) {
        NetClient client = f.vertx.createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true)
                .setSslEngineOptions(new OpenSSLEngineOptions()).setEnabledSecureTransportProtocols(Set.of(protocol)).setHostnameVerificationAlgorithm("")
                .setConnectTimeout(5000));
        try {
            Promise<Throwable> outcome = Promise.promise();
            client.connect(SocketAddress.inetSocketAddress(https, "127.0.0.1"), "shop.example.com").onComplete(ar -> {
                if (ar.succeeded()) ar.result().close();
                outcome.complete(ar.failed() ? rootCause(ar.cause()) : null);
            });
            return await(outcome.future());
        } finally {
            await(client.close());
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (!(t instanceof SSLException) && t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    @Test
    void negotiatesH2ByAlpn() {
        serve(List.of(shop));
        long frontTookBefore = H2Front.taken();
        HttpClient client = f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
                .setSslEngineOptions(engine() == TlsEngine.OPENSSL ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions()));
        try {
            var reply = await(f.onLoop(() -> client.request(new RequestOptions().setMethod(HttpMethod.GET)
                            .setServer(SocketAddress.inetSocketAddress(https, "127.0.0.1")).setHost("shop.example.com").setPort(https)
                            .setURI("/h2"))
                    .compose(req -> req.send().compose(resp -> resp.body().map(body -> List.of(resp.version().name(),
                            String.valueOf(resp.statusCode()), body.toString()))))));
            assertThat(reply.get(0)).isEqualTo("HTTP_2");
            assertThat(reply.get(1)).isEqualTo("200");
            assertThat(reply.get(2)).contains("\"path\":\"/h2\"", "\"x-forwarded-proto\":\"https\"");
            assertThat(H2Front.taken() - frontTookBefore).as("ALPN h2 connections H2Front served")
                    .isEqualTo(H2Front.enabled() ? 1 : 0);
        } finally {
            await(client.close());
        }
    }

    @Test
    void resumesSessions() throws Exception {
        serve(List.of(shop));
        // TLS 1.2 shows resumption as the same session id; the JDK client caches it per host and port.
        byte[] first = tls.handshake(https, "shop.example.com", "TLSv1.2").getId();
        byte[] second = tls.handshake(https, "shop.example.com", "TLSv1.2").getId();
        assertThat(first).isNotEmpty();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void rotatesCertificatesUnderLoadWithoutAFailedRequest() throws Exception {
        serve(List.of(shop, wildcard));
        HttpClient keepAlive = tlsClient(true);
        HttpClient fresh = tlsClient(false); // a new connection, so a new handshake, per request
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < 16; lane++) {
            HttpClient client = lane % 2 == 0 ? keepAlive : fresh;
            lanes.add(f.onLoop(() -> lane(client, stop, done, failures, 4000)));
        }
        String last = shop.fingerprint();
        for (int i = 0; i < 20; i++) {
            TlsCertificate renewed = TlsClient.certificate("shop", List.of("shop.example.com"));
            serve(List.of(renewed, wildcard));
            // A new handshake right after the swap gets the renewed certificate.
            assertThat(tls.get(https, "shop.example.com", null, "/").fingerprint()).isEqualTo(renewed.fingerprint())
                    .isNotEqualTo(last);
            last = renewed.fingerprint();
            Thread.sleep(50);
        }
        stop.set(true);
        await(Future.all(lanes));
        await(keepAlive.close());
        await(fresh.close());
        assertThat(failures).isEmpty();
        assertThat(done.get()).isGreaterThan(100);
    }

    private HttpClient tlsClient(boolean keepAlive) {
        return f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                        .setKeepAlive(keepAlive).setDefaultHost("shop.example.com").setDefaultPort(https),
                new PoolOptions().setHttp1MaxSize(8));
    }

    /** Requests one after another until told to stop (or {@code max}); every answer must be the backend's 200. */
    private Future<Void> lane(HttpClient client, AtomicBoolean stop, AtomicInteger done, List<String> failures, int max) {
        if (stop.get() || done.get() >= max) return Future.succeededFuture();
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/load")
                        .setServer(SocketAddress.inetSocketAddress(https, "127.0.0.1")).setHost("shop.example.com").setPort(https))
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
                .transform(ar -> {
                    if (ar.failed()) failures.add(ar.cause().toString());
                    else if (ar.result() != 200) failures.add("status " + ar.result());
                    done.incrementAndGet();
                    return lane(client, stop, done, failures, max);
                });
    }

    @Test
    void redirectsPlainHttpToHostsWithTlsExceptAcmeChallenges() {
        serve(List.of(shop, wildcard), null, new HttpsPolicy(true, new HttpsPolicy.Hsts(31536000, true, false)));
        Fixture.Reply redirected = f.get("shop.example.com", "/cart?item=1");
        assertThat(redirected.status()).isEqualTo(308);
        assertThat(redirected.headers().get("location")).isEqualTo("https://shop.example.com:8443/cart?item=1");
        assertThat(redirected.headers().get("strict-transport-security")).as("never over plain HTTP").isNull();

        Fixture.Reply challenge = f.get("shop.example.com", "/.well-known/acme-challenge/token-1");
        assertThat(challenge.status()).isEqualTo(200);
        assertThat(challenge.backend()).isEqualTo("app");

        assertThat(f.get("plain.example.org", "/").status()).as("a host without TLS is served").isEqualTo(200);
        assertThat(f.get("a.example.com", "/x").headers().get("location")).isEqualTo("https://a.example.com:8443/x");
        Fixture.Reply odd = f.get("a_b.example.com", "/");
        assertThat(odd.status()).as("a host that is not a DNS name is not echoed into a Location").isEqualTo(400);
        assertThat(odd.headers().get("location")).isNull();
    }

    @Test
    void sendsHstsOnHttpsAnswersOfRoutesThatHaveIt() throws Exception {
        serve(List.of(shop), null, new HttpsPolicy(false, new HttpsPolicy.Hsts(31536000, true, true)));
        HttpClient client = tlsClient(true);
        try {
            var headers = await(f.onLoop(() -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/")
                            .setServer(SocketAddress.inetSocketAddress(https, "127.0.0.1")).setHost("shop.example.com").setPort(https))
                    .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.headers())))));
            assertThat(headers.get("strict-transport-security")).isEqualTo("max-age=31536000; includeSubDomains; preload");
        } finally {
            await(client.close());
        }
        assertThat(f.get("shop.example.com", "/").status()).as("redirect off: plain HTTP is served").isEqualTo(200);
    }

    @Test
    void keepsOpenConnectionsOnTheirSessionAcrossARotation() throws Exception {
        serve(List.of(shop));
        HttpClient client = f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                .setDefaultHost("shop.example.com").setDefaultPort(https), new PoolOptions().setHttp1MaxSize(1));
        try {
            assertThat(fingerprintOnPooledConnection(client)).isEqualTo(shop.fingerprint());
            TlsCertificate renewed = TlsClient.certificate("shop", List.of("shop.example.com"));
            serve(List.of(renewed));
            assertThat(fingerprintOnPooledConnection(client)).as("the open connection keeps its session")
                    .isEqualTo(shop.fingerprint());
            assertThat(tls.get(https, "shop.example.com", null, "/").fingerprint()).isEqualTo(renewed.fingerprint());
        } finally {
            await(client.close());
        }
    }

    private String fingerprintOnPooledConnection(HttpClient client) {
        return await(f.onLoop(() -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/")
                        .setServer(SocketAddress.inetSocketAddress(https, "127.0.0.1")).setHost("shop.example.com").setPort(https))
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> {
                    try {
                        return dev.pier.tls.CertificateKeyPair.fingerprint(
                                (java.security.cert.X509Certificate) req.connection().peerCertificates().get(0));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })))));
    }
}
