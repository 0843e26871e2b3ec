package dev.pier.acme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.PierServer;
import dev.pier.proxy.TlsEngine;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.Pebble;
import dev.pier.testing.TlsClient;
import dev.pier.tls.CertificateKeyPair;
import dev.pier.translate.AcmeHostAllowlist;
import dev.pier.translate.AcmePolicy;
import dev.pier.translate.AcmeSecrets;
import dev.pier.translate.TranslateOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ACME in file mode against a real CA (pebble) that validates by connecting to Pier: HTTP-01 and
 * TLS-ALPN-01 (both engines) issue certificates that chain to pebble's root and are served by SNI;
 * a host outside the allowlist is reported and never ordered (pebble's log shows one order only);
 * a short-lived certificate is renewed before it expires; a CA that refuses every request makes
 * Pier back off (exponentially, the failures recorded) and recover once the CA works.
 */
class AcmeFileModeTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir Path dir;
    Vertx vertx;
    int backendPort;
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Pebble.binaries(); // skips (or fails, where required) before anything starts
        vertx = Vertx.vertx();
        HttpServer backend = vertx.createHttpServer().requestHandler(r -> r.response().end("backend saw " + r.getHeader("host")))
                .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
        backendPort = backend.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    /** The objects: a Service to the backend and one GatewayRoute per host, each with an acme: true tls entry. */
    private Path routes(String... hosts) throws Exception {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: pier}
                spec: {controller: pier.dev/ingress-controller}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{name: http, port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: %d, protocol: TCP}]
                endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                """.formatted(backendPort));
        for (String host : hosts) {
            String name = host.substring(0, host.indexOf('.'));
            yaml.append("""
                    ---
                    apiVersion: pier.dev/v1alpha1
                    kind: GatewayRoute
                    metadata: {name: %s, namespace: shop}
                    spec:
                      ingressClassName: pier
                      hostnames: [%s]
                      tls: [{secretName: %s-tls, acme: true}]
                      rules: [{backendRefs: [{name: web, port: 80}]}]
                    """.formatted(name, host, name));
        }
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private record Ports(int http, int https) {
    }

    private static Ports freePorts() throws Exception {
        return new Ports(KubeApiServer.freePort(), KubeApiServer.freePort());
    }

    private PierServer pier(Path routes, Ports ports, Pebble pebble, TlsEngine engine, AcmeOptions.ChallengeType challenge,
                            String profile, Duration retryBase, Duration retryMax) throws Exception {
        AcmeOptions acme = AcmeOptions.defaults(pebble.directory()).withAccount("ops@acme.test", true).withTrust(pebble.trustFile())
                .withKeys(AcmeOptions.KeyType.EC_P256, challenge, profile).withRetry(retryBase, retryMax)
                .withSettle(Duration.ZERO).withStorage(dir.resolve("acme"));
        TranslateOptions translate = TranslateOptions.DEFAULTS.withAcme(new AcmePolicy(true,
                AcmeHostAllowlist.parse(List.of("*.acme.test"))));
        PierServer.Config config = new PierServer.Config(List.of(routes), "127.0.0.1", ports.http(), 0, translate, 2, 100)
                .withHttps(ports.https(), 443, engine).withAcme(acme);
        PierServer pier = PierServer.startWithFiles(config);
        closing.add(pier);
        return pier;
    }

    private static <T> T await(Supplier<T> value, Predicate<T> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = value.get();
        while (!wanted.test(last)) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what + " (last: " + last + ")");
            Thread.sleep(200);
            last = value.get();
        }
        return last;
    }

    /** The chain served for {@code host}, once it verifies against pebble's root. */
    private static X509Certificate[] issuedChain(PierServer pier, String host, String root) throws InterruptedException {
        Object chain = await(() -> {
            try {
                return TlsClient.verifiedChain(pier.httpsPort(), host, root);
            } catch (Exception e) {
                return e.toString();
            }
        }, c -> c instanceof X509Certificate[], "a certificate for " + host + " that chains to pebble's root");
        return (X509Certificate[]) chain;
    }

    private JsonNode status(PierServer pier, String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + pier.adminPort() + "/routes")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode s : new ObjectMapper().readTree(r.body()).path("live").path("statuses")) {
            if (s.path("object").path("name").asText().equals(name)) return s;
        }
        return null;
    }

    private static JsonNode condition(JsonNode status, String type) {
        if (status == null) return null;
        for (JsonNode c : status.path("conditions")) if (c.path("type").asText().equals(type)) return c;
        return null;
    }

    @Test
    void http01_issues_for_an_allowed_host_and_a_host_outside_the_allowlist_is_reported_and_never_ordered() throws Exception {
        Ports ports = freePorts();
        Pebble pebble = Pebble.builder("file-http01").challengePorts(ports.http(), ports.https()).start();
        closing.add(pebble);
        PierServer pier = pier(routes("shop.acme.test", "evil.example.org"), ports, pebble, TlsEngine.AUTO,
                AcmeOptions.ChallengeType.HTTP_01, null, Duration.ofSeconds(1), Duration.ofSeconds(4));

        X509Certificate[] chain = issuedChain(pier, "shop.acme.test", pebble.root());
        assertThat(dnsNames(chain[0])).containsExactly("shop.acme.test");
        assertThat(chain[0].getPublicKey().getAlgorithm()).as("EC P-256 by default").isEqualTo("EC");
        assertThat(new TlsClient().get(pier.httpsPort(), "shop.acme.test", null, "/").body()).isEqualTo("backend saw shop.acme.test");

        JsonNode ready = await(() -> condition(uncheck(() -> status(pier, "shop")), "CertificateReady"),
                c -> c != null && c.path("status").asText().equals("True"), "CertificateReady=True on shop");
        assertThat(ready.path("reason").asText()).isEqualTo("Issued");
        assertThat(ready.path("message").asText()).contains("Secret shop/shop-tls", CertificateKeyPair.fingerprint(chain[0]));
        JsonNode refused = condition(status(pier, "evil"), "CertificateReady");
        assertThat(refused.path("status").asText()).isEqualTo("False");
        assertThat(refused.path("reason").asText()).isEqualTo("HostNotAllowed");
        assertThat(refused.path("message").asText()).contains("evil.example.org", "--acme-allow-host");

        assertThat(pebble.orders()).as("one order: the refused host was never ordered").isEqualTo(1);
        assertThat(pebble.issued()).isEqualTo(1);
        assertThat(pebble.log()).contains("shop.acme.test").doesNotContain("evil.example.org");
        // One challenge, validated over HTTP-01 on Pier's HTTP port (pebble, as Let's Encrypt, checks from several perspectives).
        assertThat(java.util.regex.Pattern.compile("Attempting to validate w/ HTTP: (\\S+)").matcher(pebble.log()).results()
                .map(m -> m.group(1)).distinct().toList()).singleElement().asString()
                .startsWith("http://shop.acme.test:" + ports.http() + "/.well-known/acme-challenge/");

        // Stored as a Secret in the storage directory: labelled as Pier's, no order or challenge left over, no failure.
        String stored = Files.readString(dir.resolve("acme").resolve("shop.shop-tls.yaml"));
        assertThat(stored).contains(AcmeSecrets.MANAGED_BY_LABEL + ": \"pier\"", "type: \"kubernetes.io/tls\"", AcmeSecrets.RENEW_AT)
                .doesNotContain(AcmeSecrets.ORDER + ":", AcmeSecrets.HTTP01_PREFIX, AcmeSecrets.FAILURES);
        assertThat(Files.list(dir.resolve("acme")).map(p -> p.getFileName().toString()))
                .as("nothing for the refused host").containsExactlyInAnyOrder("shop.shop-tls.yaml", "acme-account.key.pem");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"JDK", "OPENSSL"})
    void tls_alpn01_issues_on_the_https_port(TlsEngine engine) throws Exception {
        Ports ports = freePorts();
        Pebble pebble = Pebble.builder("file-tlsalpn01-" + engine).challengePorts(ports.http(), ports.https()).start();
        closing.add(pebble);
        PierServer pier = pier(routes("alpn.acme.test"), ports, pebble, engine, AcmeOptions.ChallengeType.TLS_ALPN_01, null,
                Duration.ofSeconds(1), Duration.ofSeconds(4));

        X509Certificate[] chain = issuedChain(pier, "alpn.acme.test", pebble.root());
        assertThat(dnsNames(chain[0])).containsExactly("alpn.acme.test");
        assertThat(pebble.count("Attempting to validate w/ HTTP")).as("validated over TLS-ALPN-01 only").isZero();
        assertThat(pebble.issued()).isEqualTo(1);
        // The challenge certificate went only to the validation: an ordinary client got the default one meanwhile, and h2 after.
        assertThat(new TlsClient().get(pier.httpsPort(), "alpn.acme.test", null, "/").body()).isEqualTo("backend saw alpn.acme.test");
    }

    @Test
    void a_short_lived_certificate_is_renewed_before_it_expires() throws Exception {
        Ports ports = freePorts();
        Pebble pebble = Pebble.builder("file-renewal").challengePorts(ports.http(), ports.https())
                .profile("shortlived", Duration.ofSeconds(30)).start();
        closing.add(pebble);
        PierServer pier = pier(routes("short.acme.test"), ports, pebble, TlsEngine.AUTO, AcmeOptions.ChallengeType.HTTP_01,
                "shortlived", Duration.ofSeconds(1), Duration.ofSeconds(4));

        X509Certificate first = issuedChain(pier, "short.acme.test", pebble.root())[0];
        Duration lifetime = Duration.between(first.getNotBefore().toInstant(), first.getNotAfter().toInstant());
        assertThat(lifetime).as("the profile asked for").isLessThanOrEqualTo(Duration.ofSeconds(31));
        String renewAt = await(() -> annotation(dir.resolve("acme").resolve("shop.short-tls.yaml"), AcmeSecrets.RENEW_AT),
                v -> v != null, "renew-at written");
        Instant twoThirds = first.getNotBefore().toInstant().plus(lifetime.multipliedBy(2).dividedBy(3));
        assertThat(Duration.between(twoThirds, Instant.parse(renewAt)).abs()).as("renewal at two thirds of the lifetime")
                .isLessThanOrEqualTo(Duration.ofSeconds(2));

        X509Certificate second = await(() -> {
            try {
                return TlsClient.verifiedChain(pier.httpsPort(), "short.acme.test", pebble.root())[0];
            } catch (Exception e) {
                return first;
            }
        }, c -> !c.getSerialNumber().equals(first.getSerialNumber()), "a renewed certificate");
        assertThat(second.getNotAfter()).isAfter(first.getNotAfter());
        assertThat(Instant.now()).as("renewed before the first expired").isBefore(first.getNotAfter().toInstant());
        assertThat(pebble.issued()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_ca_refusing_every_request_makes_pier_back_off_and_the_next_working_ca_issues() throws Exception {
        Ports ports = freePorts();
        // Pebble's error injection: every nonce is refused, so every signed request fails (acme4j retries 10 times, then gives up).
        Pebble refusing = Pebble.builder("file-backoff-refusing").challengePorts(ports.http(), ports.https())
                .env("PEBBLE_WFE_NONCEREJECT", "100").start();
        closing.add(refusing);
        PierServer pier = pier(routes("later.acme.test"), ports, refusing, TlsEngine.AUTO, AcmeOptions.ChallengeType.HTTP_01,
                null, Duration.ofSeconds(1), Duration.ofSeconds(8));
        Path secret = dir.resolve("acme").resolve("shop.later-tls.yaml");

        List<Instant> retries = new ArrayList<>();
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(12)) {
            String at = annotation(secret, AcmeSecrets.RETRY_AT);
            if (at != null && (retries.isEmpty() || !retries.get(retries.size() - 1).equals(Instant.parse(at)))) retries.add(Instant.parse(at));
            Thread.sleep(100);
        }
        int failures = Integer.parseInt(annotation(secret, AcmeSecrets.FAILURES));
        // 1 s doubled up to 8 s, each wait in its upper half: 3 to 5 tries in 12 s. A tight loop would make hundreds.
        assertThat(failures).isBetween(3, 6);
        assertThat(retries.size()).isGreaterThanOrEqualTo(3);
        for (int i = 2; i < retries.size(); i++) {
            Duration before = Duration.between(retries.get(i - 2), retries.get(i - 1));
            Duration after = Duration.between(retries.get(i - 1), retries.get(i));
            assertThat(after).as("the waits grow").isGreaterThan(before.dividedBy(2));
        }
        assertThat(annotation(secret, AcmeSecrets.LAST_ERROR)).contains("anti-replay nonce");
        JsonNode failed = condition(status(pier, "later"), "CertificateReady");
        assertThat(failed.path("reason").asText()).isEqualTo("OrderFailed");
        assertThat(failed.path("message").asText()).contains("next try at", "tries failed");

        // A working CA at the same address: the next try issues.
        refusing.stop();
        Pebble working = Pebble.builder("file-backoff-working").replacing(refusing).challengePorts(ports.http(), ports.https()).start();
        closing.add(working);
        issuedChain(pier, "later.acme.test", working.root());
        await(() -> annotation(secret, AcmeSecrets.FAILURES), v -> v == null, "the failures cleared");
    }

    private static List<String> dnsNames(X509Certificate c) throws Exception {
        return c.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
    }

    private static String annotation(Path secretFile, String key) {
        try {
            if (!Files.exists(secretFile)) return null;
            JsonNode secret = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(secretFile.toFile());
            JsonNode value = secret.path("metadata").path("annotations").path(key);
            return value.isMissingNode() ? null : value.asText();
        } catch (Exception e) {
            return null;
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T uncheck(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
