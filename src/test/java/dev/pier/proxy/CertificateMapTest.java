package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.RoutingTable;
import dev.pier.model.TlsCertificate;
import dev.pier.testing.TlsClient;
import dev.pier.tls.CertificateKeyPair;
import dev.pier.tls.GeneratedCertificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which certificate a server name gets, and what a rebuilt map reuses. */
class CertificateMapTest {
    private static final CertificateMap.Entry GENERATED = generated();

    private static CertificateMap.Entry generated() {
        GeneratedCertificate g = GeneratedCertificate.selfSigned("default", List.of(), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(1)), GeneratedCertificate.KeyType.EC_P256);
        try {
            return CertificateMap.entry(CertificateKeyPair.parse(g.certificatePem(), g.privateKeyPem()), "generated");
        } catch (CertificateKeyPair.InvalidCertificate e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void exactThenOneLabelWildcardThenTheDefault() {
        TlsCertificate shop = TlsClient.certificate("shop", List.of("shop.example.com"));
        TlsCertificate wild = TlsClient.certificate("wild", List.of("*.example.com"));
        CertificateMap map = CertificateMap.build(new RoutingTable(List.of(), null, List.of(shop, wild), null), GENERATED, null);
        assertThat(map.select("shop.example.com").alias()).isEqualTo(shop.fingerprint());
        assertThat(map.select("Shop.Example.com.").alias()).isEqualTo(shop.fingerprint());
        assertThat(map.select("a.example.com").alias()).isEqualTo(wild.fingerprint());
        assertThat(map.select("a.b.example.com").alias()).isEqualTo(GENERATED.alias());
        assertThat(map.select("example.com").alias()).isEqualTo(GENERATED.alias());
        assertThat(map.select(null).alias()).isEqualTo(GENERATED.alias());
        assertThat(map.select("").alias()).isEqualTo(GENERATED.alias());
    }

    @Test
    void aNamedDefaultReplacesTheGeneratedOneAndUnchangedCertificatesAreNotParsedAgain() {
        TlsCertificate shop = TlsClient.certificate("shop", List.of("shop.example.com"));
        TlsCertificate fallback = TlsClient.certificate("default", List.of("fallback.example.net"), List.of());
        CertificateMap first = CertificateMap.build(new RoutingTable(List.of(), null, List.of(shop), fallback), GENERATED, null);
        assertThat(first.select("other.example.org").alias()).isEqualTo(fallback.fingerprint());
        CertificateMap second = CertificateMap.build(new RoutingTable(List.of(), null, List.of(shop), fallback), GENERATED, first);
        assertThat(second.select("shop.example.com")).isSameAs(first.select("shop.example.com"));
        assertThat(second.sameAs(first)).isTrue();
        CertificateMap renewed = CertificateMap.build(new RoutingTable(List.of(), null,
                List.of(TlsClient.certificate("shop", List.of("shop.example.com"))), fallback), GENERATED, second);
        assertThat(renewed.sameAs(second)).isFalse();
    }
}
