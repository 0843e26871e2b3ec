package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.Filter;
import dev.pier.model.Header;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.model.Timeouts;
import dev.pier.model.TlsCertificate;
import dev.pier.model.VirtualHost;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TranslationYamlTest {
    private static final ObjectRef SRC = new ObjectRef("GatewayRoute", "web", "r");

    private static TranslationResult withRoute(Route route, List<TlsCertificate> certs, Map<ServiceKey, List<Endpoint>> endpoints) {
        return new TranslationResult(new RoutingTable(List.of(new VirtualHost("a.example.com", List.of(route))), null, certs, null),
                endpoints, List.of());
    }

    @Test
    void sealedValuesCarryTheirTypeAndPolicySetsPrintSorted() {
        List<Filter> filters = List.of(
                new Filter.RequestHeaderModifier(new Filter.HeaderModifier(List.of(new Header("x-a", "1")), List.of(), List.of("x-b"))),
                new Filter.UrlRewrite(null, new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, "/v2")),
                new Filter.DirectResponse(418, "teapot"));
        Route route = new Route("gatewayroute/web/r/rule/0/match/0", SRC, RouteMatch.path(PathMatch.prefix("/")),
                new RouteAction.Resolve("web", "/svc", "", false,
                        Map.of("zeta", new ServiceKey("web", "zeta", 80), "alpha", new ServiceKey("web", "alpha", 80)),
                        BalancerPolicy.ROUND_ROBIN),
                filters, new Timeouts(Duration.ofSeconds(5), null),
                new RetryPolicy(2, Duration.ofMillis(25), Set.of(504, 502, 503)));

        String yaml = TranslationYaml.write(withRoute(route, List.of(), Map.of()));

        assertThat(yaml).contains("type: Resolve", "type: RequestHeaderModifier", "type: UrlRewrite",
                "type: DirectResponse", "type: REPLACE_PREFIX_MATCH", "request: PT5S", "backoff: PT0.025S");
        assertThat(yaml.indexOf("alpha:")).isLessThan(yaml.indexOf("zeta:"));
        assertThat(yaml).containsSubsequence("codes:", "- 502", "- 503", "- 504");
        assertThat(yaml).doesNotContain("!<"); // a property, not a YAML tag
    }

    @Test
    void noBackendStaysVisibleAndNoBackendActionIsTyped() {
        Route empty = Route.forward("ingress/web/i/rule/0/path/0", SRC, RouteMatch.path(PathMatch.prefix("/")), List.of());
        assertThat(TranslationYaml.write(withRoute(empty, List.of(), Map.of()))).contains("type: Forward", "backends: []");
        Route direct = new Route("x", SRC, RouteMatch.path(PathMatch.exact("/")), new RouteAction.NoBackend(),
                List.of(new Filter.DirectResponse(204, "")), Timeouts.NONE, RetryPolicy.NONE);
        String yaml = TranslationYaml.write(withRoute(direct, List.of(), Map.of()));
        assertThat(yaml).contains("type: NoBackend").doesNotContain("timeouts").doesNotContain("retry");
    }

    @Test
    void printsACertificateAsItsFingerprintAndExpiryNeverItsBodyOrKey() throws Exception {
        String key = "-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n";
        String pem;
        try (var in = TranslationYamlTest.class.getResourceAsStream("/tls/shop.example.com.crt")) {
            pem = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
        TlsCertificate cert = new TlsCertificate(new ObjectRef("Secret", "web", "tls"), List.of("shop.example.com"), pem, key,
                "17:E6", java.time.Instant.parse("2126-11-03T18:30:32Z"));
        Route route = Route.forward("r", SRC, RouteMatch.path(PathMatch.prefix("/")), List.of());
        String yaml = TranslationYaml.write(withRoute(route, List.of(cert), Map.of()));
        String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertThat(yaml).doesNotContain("SECRETKEYMATERIAL").doesNotContain("BEGIN").doesNotContain(body.substring(0, 20))
                .doesNotContain("privateKey").doesNotContain("certificatePem")
                // as `openssl x509 -noout -fingerprint -sha256 -enddate` prints them for this file
                .contains("sha256: 17:E6:3D:96:CB:6C:AD:D3:02:DA:28:34:BA:7C:1C:D2:6E:42:AF:3C:34:2D:36:A0:61:8C:0D:4C:7F:F4:A8:29")
                .contains("notAfter: 2126-11-03T18:30:32Z").contains("subject: CN=shop.example.com");

        TlsCertificate garbage = new TlsCertificate(new ObjectRef("Secret", "web", "bad"), List.of("a.example.com"),
                "-----BEGIN CERTIFICATE-----\nPUBLICBUTNOTX509\n-----END CERTIFICATE-----\n", key, "00",
                java.time.Instant.parse("2126-11-03T18:30:32Z"));
        String bad = TranslationYaml.write(withRoute(route, List.of(garbage), Map.of()));
        assertThat(bad).contains("error: tls.crt does not parse as X.509 certificates").doesNotContain("PUBLICBUTNOTX509")
                .doesNotContain("SECRETKEYMATERIAL");
    }

    @Test
    void endpointsAreKeyedByServicePortAndSorted() {
        Map<ServiceKey, List<Endpoint>> endpoints = new LinkedHashMap<>();
        endpoints.put(new ServiceKey("web", "zeta", 80), List.of(Endpoint.of("10.0.0.1", 8080)));
        endpoints.put(new ServiceKey("web", "alpha", 443), List.of());
        endpoints.put(new ServiceKey("aaa", "zeta", 80), List.of());
        Route route = Route.forward("r", SRC, RouteMatch.path(PathMatch.prefix("/")), List.of());
        String yaml = TranslationYaml.write(withRoute(route, List.of(), endpoints));
        assertThat(yaml).containsSubsequence("endpoints:", "aaa/zeta:80: []", "web/alpha:443: []", "web/zeta:80:", "host: 10.0.0.1");
    }
}
