package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.api.GatewayRouteConditions;
import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.ServiceKey;
import dev.pier.source.file.ManifestParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the golden files cannot say on their own: contracts other rooms rely on. */
class GatewayRouteTranslationTest {

    private static TranslationResult translate(String name, TranslateOptions options) throws Exception {
        Path file = Path.of("src/test/resources/translate", name + ".in.yaml");
        return Translator.translate(ManifestParser.toSnapshot(ManifestParser.parse(name, Files.readString(file)).objects()), options, TranslatorGoldenTest.NOW);
    }

    /**
     * The data plane looks a resolved name up as {@code servicePrefix + name}: every key of
     * {@code Resolve.services} must be the full Service name, and name the Service it maps to.
     */
    @Test
    void resolverServicesAreKeyedByFullServiceName() throws Exception {
        var result = translate("gr-resolver", TranslateOptions.DEFAULTS);
        int resolvers = 0;
        for (var host : result.table().virtualHosts()) {
            for (Route route : host.routes()) {
                if (!(route.action() instanceof RouteAction.Resolve r)) continue;
                resolvers++;
                for (Map.Entry<String, ServiceKey> e : r.services().entrySet()) {
                    assertThat(e.getKey()).isEqualTo(e.getValue().name()).startsWith(r.servicePrefix());
                    assertThat(e.getKey().length()).isGreaterThan(r.servicePrefix().length());
                    assertThat(e.getValue().namespace()).isEqualTo(r.namespace());
                }
            }
        }
        assertThat(resolvers).isEqualTo(6);
    }

    /**
     * Micro's versioned table: a versioned rule resolves {@code /v1/foo} to {@code v1-foo} and
     * {@code /foo} to {@code foo}, so it must hold the unversioned Services too.
     */
    @Test
    void aVersionedResolverHoldsVersionedAndPlainServices() throws Exception {
        var result = translate("gr-resolver", TranslateOptions.DEFAULTS);
        RouteAction.Resolve versioned = result.table().virtualHosts().stream().flatMap(h -> h.routes().stream())
                .map(Route::action).filter(a -> a instanceof RouteAction.Resolve r && r.versioned())
                .map(a -> (RouteAction.Resolve) a).findFirst().orElseThrow();
        assertThat(versioned.services()).containsKeys("users", "v1-users");
    }

    @Test
    void resolverNamespaceNeedsTheAllowList() throws Exception {
        var denied = translate("gr-resolver-namespace-allowed", TranslateOptions.DEFAULTS);
        var allowed = translate("gr-resolver-namespace-allowed", TranslateOptions.DEFAULTS.withResolverNamespaces(Set.of("apps")));
        assertThat(resolveNamespaces(denied)).isEmpty();
        assertThat(resolveNamespaces(allowed)).containsExactly("apps");
        assertThat(denied.statuses().get(0).conditions().get(0).reason()).isEqualTo(GatewayRouteConditions.REASON_INVALID);
    }

    private static java.util.List<String> resolveNamespaces(TranslationResult result) {
        return result.table().virtualHosts().stream().flatMap(h -> h.routes().stream())
                .filter(r -> r.action() instanceof RouteAction.Resolve)
                .map(r -> ((RouteAction.Resolve) r.action()).namespace()).toList();
    }

    @Test
    void threeArgumentOptionsAllowNoOtherResolverNamespace() {
        assertThat(new TranslateOptions("pier", TranslateOptions.CONTROLLER_NAME, false).resolverNamespaces()).isEmpty();
        assertThat(TranslateOptions.DEFAULTS.resolverNamespaces()).isEmpty();
    }

    /** A rule with a bad regex is left out; the same route's other rule and other routes keep serving. */
    @Test
    void invalidRuleLeavesTheRestServing() throws Exception {
        var result = translate("gr-invalid-regex", TranslateOptions.DEFAULTS);
        var ids = result.table().virtualHosts().stream().flatMap(h -> h.routes().stream()).map(Route::id).toList();
        assertThat(ids).containsExactly("gatewayroute/web/regex/rule/7/match/0", "gatewayroute/web/regex/rule/0/match/0");
        var accepted = result.statuses().get(0).conditions().get(0);
        assertThat(accepted.status()).isEqualTo("True");
        assertThat(accepted.reason()).isEqualTo(GatewayRouteConditions.REASON_PARTIALLY_INVALID);
        assertThat(accepted.observedGeneration()).isEqualTo(7);
        assertThat(result.statuses().get(0).problems()).contains(new Problem(new ObjectRef("GatewayRoute", "web", "regex"),
                "spec.rules[1].matches[0].path.value", Problem.ACCEPTED, Problem.INVALID,
                "invalid regular expression \"[\" (RE2 syntax): missing closing ]: `[`"));
    }
}
