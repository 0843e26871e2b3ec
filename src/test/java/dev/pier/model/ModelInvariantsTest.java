package dev.pier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
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
        assertThat(a.regex().matches("/img/42")).isTrue();
        assertThat(a.regex().matches("/img/42/x")).as("a full match").isFalse();
        assertThat(a).isEqualTo(PathMatch.regex("/img/[0-9]+")).hasSameHashCodeAs(PathMatch.regex("/img/[0-9]+"));
        assertThatThrownBy(() -> PathMatch.regex("/(unclosed")).isInstanceOf(Regex.InvalidRegexException.class);
        assertThatThrownBy(() -> new StringMatch("x-env", StringMatch.Type.REGEX, "a(b")).isInstanceOf(Regex.InvalidRegexException.class);
        assertThat(new StringMatch("x-env", StringMatch.Type.REGEX, "can(ary|dy)").regex().matches("candy")).isTrue();
        assertThat(StringMatch.exact("x", "y").regex()).isNull();
    }

    @Test
    void aRegexIsRe2SoWhatNeedsBacktrackingIsRefusedByName() {
        // Backreferences, lookaround and possessive quantifiers need a backtracking matcher, whose
        // time on a crafted input can grow exponentially: RE2 has none of them.
        assertThatThrownBy(() -> Regex.of("/(a+)/\\1")).isInstanceOf(Regex.InvalidRegexException.class)
                .hasMessageContaining("invalid escape sequence").hasMessageContaining("\\1");
        assertThatThrownBy(() -> Regex.of("/(?=admin)[a-z]+")).isInstanceOf(Regex.InvalidRegexException.class)
                .hasMessageContaining("(?=");
        assertThatThrownBy(() -> Regex.of("/(?<!x)y")).isInstanceOf(Regex.InvalidRegexException.class);
        assertThatThrownBy(() -> Regex.of("/a++")).isInstanceOf(Regex.InvalidRegexException.class)
                .hasMessageContaining("++");
        // Patterns a backtracking matcher takes exponential or high-polynomial time on are fine for RE2.
        assertThat(Regex.of("/(a+)+$").matches("/" + "a".repeat(10_000) + "!")).isFalse();
        assertThat(Regex.of("/(.*a){20}").matches("/" + "a".repeat(10_000) + "!")).isFalse();
        assertThat(Regex.of("/(.*a){20}").matches("/" + "a".repeat(20))).isTrue();
    }

    @Test
    void aRegexWhoseProgramIsTooLargeIsRefused() {
        // Matching costs the input's length times the program's size: a pattern that expands to a
        // million instructions would make every request slow, so it is refused at translation.
        assertThatThrownBy(() -> Regex.of("(a{1000}){1000}")).isInstanceOf(Regex.InvalidRegexException.class)
                .hasMessageContaining("more than " + Regex.MAX_PROGRAM_SIZE);
        assertThat(Regex.of("/[a-z0-9-]{1,63}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                .matches("/my-app/123e4567-e89b-12d3-a456-426614174000")).isTrue();
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
