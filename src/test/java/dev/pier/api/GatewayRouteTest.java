package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import dev.pier.source.file.ManifestParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example of docs/gatewayroute.md read into the classes, field by field. */
class GatewayRouteTest {

    static final String EXAMPLE = """
            apiVersion: pier.dev/v1alpha1
            kind: GatewayRoute
            metadata:
              name: shop
              namespace: web
            spec:
              ingressClassName: pier
              hostnames: [shop.example.com, "*.example.org"]
              rules:
              - matches:
                - path: {type: PathPrefix, value: /cart}
                  method: POST
                  headers: [{name: x-canary, value: "true"}]
                  queryParams: [{name: debug, value: "1"}]
                backendRefs:
                - {name: cart, port: 8080, weight: 5}
                - {name: cart-next, port: 8080, weight: 1}
                loadBalancer:
                  type: ConsistentHash
                  hashOn: {header: x-user}
                filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {set: [{name: x-env, value: prod}], remove: [x-secret]}
                - type: ResponseHeaderModifier
                  responseHeaderModifier: {add: [{name: x-route, value: cart}]}
                - type: URLRewrite
                  urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
                - type: RequestRedirect
                  requestRedirect: {scheme: https, statusCode: 301}
                - type: DirectResponse
                  directResponse: {status: 200, body: ok}
                timeouts: {request: 15s, backendRequest: 5s}
                retry: {attempts: 2, backoff: 50ms, codes: [502, 503, 504]}
              - resolver:
                  namespace: api
                  pathPrefix: /
                  servicePrefix: ""
                  versioned: true
                  port: http
                  selector: {matchLabels: {pier.dev/expose: "true"}}
            """;

    private final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void readsEveryFieldOfTheExample() {
        GatewayRoute route = serialization.unmarshal(EXAMPLE, GatewayRoute.class);
        assertExample(route);
    }

    @Test
    void fileModeParserReadsTheKindOnceRegistered() throws Exception {
        ManifestParser.register(GatewayRoute.API_VERSION, GatewayRoute.KIND, GatewayRoute.class);
        var parsed = ManifestParser.parse("example.yaml", EXAMPLE);
        assertThat(parsed.warnings()).as("every field of the example is one GatewayRoute has").isEmpty();
        List<HasMetadata> objects = parsed.objects();
        assertThat(objects).hasSize(1).first().isInstanceOf(GatewayRoute.class);
        assertExample((GatewayRoute) objects.get(0));
    }

    @Test
    void writesBackWhatItRead() {
        GatewayRoute route = serialization.unmarshal(EXAMPLE, GatewayRoute.class);
        route.setStatus(new GatewayRouteStatus());
        route.getStatus().setObservedGeneration(3L);
        route.getStatus().setConditions(List.of(new ConditionBuilder().withType(GatewayRouteConditions.ACCEPTED)
                .withStatus("True").withReason(GatewayRouteConditions.REASON_ACCEPTED).withObservedGeneration(3L).build()));

        String yaml = serialization.asYaml(route);
        GatewayRoute again = serialization.unmarshal(yaml, GatewayRoute.class);

        assertExample(again);
        assertThat(again.getStatus().getObservedGeneration()).isEqualTo(3L);
        Condition accepted = again.getStatus().getConditions().get(0);
        assertThat(accepted.getType()).isEqualTo("Accepted");
        assertThat(accepted.getStatus()).isEqualTo("True");
        // enums go out under their YAML names, and absent fields stay absent
        assertThat(yaml).contains("type: \"ConsistentHash\"", "type: \"URLRewrite\"", "scheme: \"https\"", "method: \"POST\"")
                .doesNotContain("null");
    }

    @Test
    void leavesUnwrittenFieldsNullForTranslationToDefault() {
        GatewayRoute route = serialization.unmarshal("""
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: bare, namespace: web}
                spec:
                  rules:
                  - backendRefs: [{name: web, port: 80}]
                """, GatewayRoute.class);
        GatewayRouteRule rule = route.getSpec().getRules().get(0);
        assertThat(route.getSpec().getHostnames()).isNull();
        assertThat(rule.getMatches()).isNull();
        assertThat(rule.getLoadBalancer()).isNull();
        assertThat(rule.getBackendRefs().get(0).getWeight()).isNull();
        assertThat(HTTPBackendRef.DEFAULT_WEIGHT).isEqualTo(1);
    }

    @Test
    void enumsKnowTheirYamlNames() {
        assertThat(PathMatchType.REGULAR_EXPRESSION.wireName()).isEqualTo("RegularExpression");
        assertThat(FilterType.URL_REWRITE.wireName()).isEqualTo("URLRewrite");
        assertThat(RedirectScheme.HTTPS.wireName()).isEqualTo("https");
    }

    private static void assertExample(GatewayRoute route) {
        assertThat(route.getApiVersion()).isEqualTo("pier.dev/v1alpha1");
        assertThat(route.getKind()).isEqualTo("GatewayRoute");
        assertThat(route.getMetadata().getName()).isEqualTo("shop");
        assertThat(route.getMetadata().getNamespace()).isEqualTo("web");

        GatewayRouteSpec spec = route.getSpec();
        assertThat(spec.getIngressClassName()).isEqualTo("pier");
        assertThat(spec.getHostnames()).containsExactly("shop.example.com", "*.example.org");
        assertThat(spec.getRules()).hasSize(2);

        GatewayRouteRule rule = spec.getRules().get(0);
        assertThat(rule.getResolver()).isNull();
        assertThat(rule.getMatches()).hasSize(1);
        HTTPRouteMatch match = rule.getMatches().get(0);
        assertThat(match.getPath().getType()).isEqualTo(PathMatchType.PATH_PREFIX);
        assertThat(match.getPath().getValue()).isEqualTo("/cart");
        assertThat(match.getMethod()).isEqualTo(HTTPMethod.POST);
        assertThat(match.getHeaders()).singleElement().satisfies(h -> {
            assertThat(h.getName()).isEqualTo("x-canary");
            assertThat(h.getValue()).isEqualTo("true");
            assertThat(h.getType()).isNull(); // Exact by default, applied by the API server or translation
        });
        assertThat(match.getQueryParams()).singleElement().satisfies(q -> {
            assertThat(q.getName()).isEqualTo("debug");
            assertThat(q.getValue()).isEqualTo("1");
        });

        assertThat(rule.getBackendRefs()).extracting(HTTPBackendRef::getName, HTTPBackendRef::getPort, HTTPBackendRef::getWeight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cart", 8080, 5),
                        org.assertj.core.groups.Tuple.tuple("cart-next", 8080, 1));

        assertThat(rule.getLoadBalancer().getType()).isEqualTo(LoadBalancerType.CONSISTENT_HASH);
        HashOn hashOn = rule.getLoadBalancer().getHashOn();
        assertThat(hashOn.getHeader()).isEqualTo("x-user");
        assertThat(hashOn.getCookie()).isNull();
        assertThat(hashOn.getSourceIP()).isNull();
        assertThat(hashOn.getQueryParam()).isNull();

        List<HTTPRouteFilter> filters = rule.getFilters();
        assertThat(filters).extracting(HTTPRouteFilter::getType).containsExactly(FilterType.REQUEST_HEADER_MODIFIER,
                FilterType.RESPONSE_HEADER_MODIFIER, FilterType.URL_REWRITE, FilterType.REQUEST_REDIRECT,
                FilterType.DIRECT_RESPONSE);
        HTTPHeaderFilter request = filters.get(0).getRequestHeaderModifier();
        assertThat(request.getSet()).singleElement().satisfies(h -> {
            assertThat(h.getName()).isEqualTo("x-env");
            assertThat(h.getValue()).isEqualTo("prod");
        });
        assertThat(request.getAdd()).isNull();
        assertThat(request.getRemove()).containsExactly("x-secret");
        assertThat(filters.get(0).getResponseHeaderModifier()).isNull();
        assertThat(filters.get(1).getResponseHeaderModifier().getAdd()).singleElement().satisfies(h -> {
            assertThat(h.getName()).isEqualTo("x-route");
            assertThat(h.getValue()).isEqualTo("cart");
        });
        HTTPURLRewriteFilter rewrite = filters.get(2).getUrlRewrite();
        assertThat(rewrite.getHostname()).isNull();
        assertThat(rewrite.getPath().getType()).isEqualTo(PathModifierType.REPLACE_PREFIX_MATCH);
        assertThat(rewrite.getPath().getReplacePrefixMatch()).isEqualTo("/");
        assertThat(rewrite.getPath().getReplaceFullPath()).isNull();
        HTTPRequestRedirectFilter redirect = filters.get(3).getRequestRedirect();
        assertThat(redirect.getScheme()).isEqualTo(RedirectScheme.HTTPS);
        assertThat(redirect.getStatusCode()).isEqualTo(301);
        assertThat(redirect.getHostname()).isNull();
        assertThat(redirect.getPort()).isNull();
        DirectResponseFilter direct = filters.get(4).getDirectResponse();
        assertThat(direct.getStatus()).isEqualTo(200);
        assertThat(direct.getBody()).isEqualTo("ok");

        assertThat(rule.getTimeouts().getRequest()).isEqualTo("15s");
        assertThat(rule.getTimeouts().getBackendRequest()).isEqualTo("5s");
        assertThat(rule.getRetry().getAttempts()).isEqualTo(2);
        assertThat(rule.getRetry().getBackoff()).isEqualTo("50ms");
        assertThat(rule.getRetry().getCodes()).containsExactly(502, 503, 504);

        GatewayRouteRule resolverRule = spec.getRules().get(1);
        assertThat(resolverRule.getMatches()).isNull();
        assertThat(resolverRule.getBackendRefs()).isNull();
        NamespaceResolver resolver = resolverRule.getResolver();
        assertThat(resolver.getNamespace()).isEqualTo("api");
        assertThat(resolver.getPathPrefix()).isEqualTo("/");
        assertThat(resolver.getServicePrefix()).isEmpty();
        assertThat(resolver.getVersioned()).isTrue();
        assertThat(resolver.getPort()).isEqualTo(new IntOrString("http"));
        assertThat(resolver.getSelector().getMatchLabels()).isEqualTo(Map.of(NamespaceResolver.DEFAULT_EXPOSE_LABEL, "true"));
    }
}
