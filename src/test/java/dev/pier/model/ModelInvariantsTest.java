package dev.pier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

/**
 * The one validation contract: what the data plane could not serve cannot be built. Translation
 * reports such input as a problem and never builds it; these are the guards behind that promise.
 */
class ModelInvariantsTest {
    private static final ObjectRef SRC = new ObjectRef("GatewayRoute", "web", "r");

    @Test
    void aRegexIsCompiledOnceWhenTheMatchIsBuiltAndComparesByItsText() {
        PathMatch a = PathMatch.regex("/img/[0-9]+");
        assertThat(a.regex().pattern().matcher("/img/42").matches()).isTrue();
        assertThat(a).isEqualTo(PathMatch.regex("/img/[0-9]+")).hasSameHashCodeAs(PathMatch.regex("/img/[0-9]+"));
        assertThatThrownBy(() -> PathMatch.regex("/(unclosed")).isInstanceOf(PatternSyntaxException.class);
        assertThatThrownBy(() -> new StringMatch("x-env", StringMatch.Type.REGEX, "a(b")).isInstanceOf(PatternSyntaxException.class);
        assertThat(new StringMatch("x-env", StringMatch.Type.REGEX, "can(ary|dy)").regex().pattern().matcher("candy").matches()).isTrue();
        assertThat(StringMatch.exact("x", "y").regex()).isNull();
    }

    @Test
    void aPrefixIsNormalisedByTheModelAndNothingElse() {
        assertThat(PathMatch.prefix("/foo/").value()).isEqualTo("/foo");
        assertThat(PathMatch.prefix("/foo//").value()).isEqualTo("/foo");
        assertThat(PathMatch.prefix("//").value()).isEqualTo("/");
        assertThatThrownBy(() -> new PathMatch(PathMatch.Type.PREFIX, "/foo/", null)).hasMessageContaining("normalised");
        assertThatThrownBy(() -> PathMatch.prefix("foo")).hasMessageContaining("does not start with /");
        assertThatThrownBy(() -> new RouteAction.Resolve("ns", "/apps/", "", false, Map.of(), BalancerPolicy.ROUND_ROBIN))
                .hasMessageContaining("not a normalised prefix");
    }

    @Test
    void tlsToABackendIsVerifiedWithACaBundleOrUnverifiedWithout() {
        ObjectRef ca = new ObjectRef("ConfigMap", "web", "ca");
        assertThat(BackendTls.verified("api.web.svc", ca, "-----BEGIN CERTIFICATE-----").verify()).isTrue();
        assertThat(BackendTls.unverified("api.web.svc").caCertificates()).isNull();
        assertThatThrownBy(() -> new BackendTls("api.web.svc", null, null, true)).hasMessageContaining("needs a CA bundle");
        assertThatThrownBy(() -> new BackendTls("api.web.svc", ca, "pem", false)).hasMessageContaining("holds no CA bundle");
        assertThatThrownBy(() -> BackendTls.unverified("")).hasMessageContaining("serverName");
        assertThat(BackendTls.verified("api.web.svc", ca, "pem").toString()).doesNotContain("pem");
    }

    @Test
    void aResolversProtocolsNameServicesItResolvesAndNeverTheDefault() {
        Map<String, ServiceKey> services = Map.of("grpc", new ServiceKey("web", "grpc", 50051));
        var resolve = new RouteAction.Resolve("web", "/", "", false, services, BalancerPolicy.ROUND_ROBIN,
                Map.of("grpc", BackendProtocol.H2C));
        assertThat(resolve.protocol("grpc")).isEqualTo(BackendProtocol.H2C);
        assertThat(new RouteAction.Resolve("web", "/", "", false, services, BalancerPolicy.ROUND_ROBIN).protocol("grpc"))
                .isEqualTo(BackendProtocol.HTTP1);
        assertThatThrownBy(() -> new RouteAction.Resolve("web", "/", "", false, services, BalancerPolicy.ROUND_ROBIN,
                Map.of("other", BackendProtocol.H2C))).hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> new RouteAction.Resolve("web", "/", "", false, services, BalancerPolicy.ROUND_ROBIN,
                Map.of("grpc", BackendProtocol.HTTP1))).hasMessageContaining("the default");
    }

    @Test
    void aRouteWithoutABackendNeedsAFilterThatAnswers() {
        RouteMatch match = RouteMatch.path(PathMatch.prefix("/"));
        assertThatThrownBy(() -> new Route("r", SRC, match, new RouteAction.NoBackend(), List.of(), Timeouts.NONE, RetryPolicy.NONE))
                .hasMessageContaining("route r").hasMessageContaining("NoBackend");
        Route ok = new Route("r", SRC, match, new RouteAction.NoBackend(), List.of(new Filter.DirectResponse(204, "")),
                Timeouts.NONE, RetryPolicy.NONE);
        assertThat(ok.filters()).hasSize(1);
    }

    @Test
    void replacePrefixMatchNeedsAPrefixMatch() {
        Filter rewrite = new Filter.UrlRewrite(null, new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, "/y"));
        assertThatThrownBy(() -> new Route("bad", SRC, RouteMatch.path(PathMatch.exact("/x")), new RouteAction.Forward(List.of()),
                List.of(rewrite), Timeouts.NONE, RetryPolicy.NONE)).hasMessageContaining("route bad").hasMessageContaining("ReplacePrefixMatch");
    }

    @Test
    void answersAndPoliciesRefuseValuesNoClientCouldGet() {
        assertThatThrownBy(() -> new Filter.RequestRedirect(null, null, null, null, 200)).hasMessageContaining("redirect status");
        assertThatThrownBy(() -> new Filter.RequestRedirect(null, null, 70000, null, 301)).hasMessageContaining("port");
        assertThatThrownBy(() -> new Filter.DirectResponse(99, "")).hasMessageContaining("status");
        assertThatThrownBy(() -> new RetryPolicy(-1, java.time.Duration.ZERO, java.util.Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VirtualHost("Shop.Example.com", List.of())).hasMessageContaining("lower-case");
        VirtualHost twice = new VirtualHost("a.test", List.of());
        assertThatThrownBy(() -> new RoutingTable(List.of(twice, twice), null)).hasMessageContaining("two virtual hosts");
    }

    @Test
    void aProblemReadsAsFieldThenMessage() {
        Problem p = new Problem(SRC, "spec.rules[0].backendRefs[0].name", Problem.RESOLVED_REFS, Problem.BACKEND_NOT_FOUND,
                "Service web/x not found");
        assertThat(p.text()).isEqualTo("spec.rules[0].backendRefs[0].name: Service web/x not found");
        assertThat(new Problem(SRC, "", null, Problem.INVALID, "whole object").text()).isEqualTo("whole object");
    }
}
