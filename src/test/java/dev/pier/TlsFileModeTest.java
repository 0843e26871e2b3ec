package dev.pier;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.proxy.TlsEngine;
import dev.pier.testing.TlsClient;
import dev.pier.tls.CertificateKeyPair;
import dev.pier.tls.GeneratedCertificate;
import dev.pier.translate.TranslateOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * HTTPS in file mode, as a user runs it: Secrets and an Ingress in files, a named default
 * certificate, every kind of bad certificate reported (status in /routes, a log line naming the
 * Secret) while its host gets the default certificate and the other hosts keep theirs, and a
 * Secret rewritten in place served to the next handshake. Keys appear in no view.
 */
class TlsFileModeTest {
    @TempDir Path dir;
    Vertx vertx;
    HttpServer backend;
    PierServer pier;
    final TlsClient tls = new TlsClient();
    final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        backend = vertx.createHttpServer().requestHandler(r -> r.response().end("backend saw " + r.getHeader("host")))
                .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
        log.start();
        ((Logger) LoggerFactory.getLogger(Pipeline.class)).addAppender(log);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(Pipeline.class)).detachAppender(log);
        if (pier != null) pier.close();
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    private static GeneratedCertificate certificate(String host, Instant from, Instant until) {
        return GeneratedCertificate.selfSigned(host, List.of(host), from, until, GeneratedCertificate.KeyType.EC_P256);
    }

    private static GeneratedCertificate certificate(String host) {
        return certificate(host, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
    }

    private static String fingerprint(GeneratedCertificate c) throws Exception {
        return CertificateKeyPair.parse(c.certificatePem(), c.privateKeyPem()).fingerprint();
    }

    private static String secret(String name, GeneratedCertificate c) {
        return secret(name, c.certificatePem(), c.privateKeyPem());
    }

    private static String secret(String name, String crt, String key) {
        return """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: shop}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                %s  tls.key: |
                %s""".formatted(name, indent(crt), indent(key));
    }

    private static String indent(String pem) {
        return pem.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    private String objects(String hosts) {
        StringBuilder rules = new StringBuilder();
        StringBuilder tlsEntries = new StringBuilder();
        for (String h : hosts.split(",")) {
            String name = h.split("\\.")[0];
            rules.append("  - host: ").append(h).append("\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n");
            tlsEntries.append("  - {hosts: [").append(h).append("], secretName: ").append(name).append("-tls}\n");
        }
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{name: http, port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints: [{addresses: [127.0.0.1]}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: shop}
                spec:
                  ingressClassName: pier
                  tls:
                %s  rules:
                %s""".formatted(backend.actualPort(), tlsEntries, rules);
    }

    private String await(String host, Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last;
        do {
            last = tls.get(pier.httpsPort(), host, null, "/").fingerprint();
            if (wanted.test(last)) return last;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return last;
    }

    @Test
    void badCertificatesAreReportedAndServedWithTheDefaultWhileGoodOnesServe() throws Exception {
        GeneratedCertificate good = certificate("good.example.com");
        GeneratedCertificate fallback = certificate("fallback.example.net");
        GeneratedCertificate expired = certificate("expired.example.com", Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2021-01-01T00:00:00Z"));
        GeneratedCertificate mismatched = certificate("mismatch.example.com").withKeyOf(certificate("other.example.com"));
        Path file = dir.resolve("shop.yaml");
        String secrets = secret("good-tls", good) + secret("expired-tls", expired) + secret("mismatch-tls", mismatched)
                + secret("garbage-tls", good.certificatePem(), "-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n")
                + secret("fallback", fallback).replace("namespace: shop", "namespace: pier-system");
        Files.writeString(file, objects("good.example.com,expired.example.com,mismatch.example.com,garbage.example.com,missing.example.com")
                + secrets);
        pier = PierServer.startWithFiles(new PierServer.Config(List.of(dir), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS.withDefaultCertificate("pier-system/fallback"), 2, 50).withHttps(0, 443, TlsEngine.AUTO));

        assertThat(tls.get(pier.httpsPort(), "good.example.com", null, "/").fingerprint()).isEqualTo(fingerprint(good));
        for (String host : List.of("expired.example.com", "mismatch.example.com", "garbage.example.com", "missing.example.com")) {
            TlsClient.Seen seen = tls.get(pier.httpsPort(), host, null, "/");
            assertThat(seen.fingerprint()).as(host).isEqualTo(fingerprint(fallback));
            assertThat(seen.body()).as("%s is still served", host).isEqualTo("backend saw " + host);
        }

        String body = TlsTestHttp.get(pier.adminPort(), "/routes");
        assertThat(body).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE").contains(fingerprint(good))
                .contains(fingerprint(fallback));
        // pier_tls_certificate_expiry_timestamp_seconds: one per served Secret (30 days out), none for one not served.
        String metrics = TlsTestHttp.get(pier.adminPort(), "/metrics");
        var expiry = java.util.regex.Pattern.compile(
                "pier_tls_certificate_expiry_timestamp_seconds\\{namespace=\"shop\",secret=\"good-tls\"} (\\S+)").matcher(metrics);
        assertThat(expiry.find()).as(metrics).isTrue();
        double inDays = (Double.parseDouble(expiry.group(1)) - Instant.now().getEpochSecond()) / 86400.0;
        assertThat(inDays).isBetween(29.0, 30.1);
        assertThat(metrics).contains("pier_tls_certificate_expiry_timestamp_seconds{namespace=\"pier-system\",secret=\"fallback\"}")
                .doesNotContain("secret=\"expired-tls\"");
        JsonNode routes = new ObjectMapper().readTree(body);
        JsonNode web = StreamSupport.stream(routes.path("live").path("statuses").spliterator(), false)
                .filter(s -> s.path("object").path("name").asText().equals("web")).findFirst().orElseThrow();
        List<String> messages = StreamSupport.stream(web.path("problems").spliterator(), false)
                .map(p -> p.path("field").asText() + " " + p.path("reason").asText() + " " + p.path("message").asText()).toList();
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("spec.tls[1].secretName InvalidCertificateRef Secret shop/expired-tls")
                .contains("expired at 2021-01-01T00:00:00Z"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("spec.tls[2].secretName InvalidCertificateRef Secret shop/mismatch-tls")
                .contains("does not belong"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("spec.tls[3].secretName InvalidCertificateRef Secret shop/garbage-tls")
                .contains("does not parse"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("spec.tls[4].secretName InvalidCertificateRef Secret shop/missing-tls")
                .contains("not found"));
        assertThat(log.list).map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("Ingress shop/web", "Secret shop/mismatch-tls"))
                .allSatisfy(line -> assertThat(line).doesNotContain("PRIVATE KEY"));

        // The Secret rewritten in place (a renewal): the next handshake gets the new certificate.
        GeneratedCertificate renewed = certificate("good.example.com");
        Files.writeString(file, Files.readString(file).replace(secret("good-tls", good), secret("good-tls", renewed)));
        assertThat(await("good.example.com", fingerprint(renewed)::equals)).isEqualTo(fingerprint(renewed));
        assertThat(tls.get(pier.httpsPort(), "expired.example.com", null, "/").fingerprint()).isEqualTo(fingerprint(fallback));
    }
}
