package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Condition;
import dev.pier.model.ObjectStatus;
import dev.pier.model.ResolverHandler;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.ServiceKey;
import dev.pier.model.WeightedBackend;
import dev.pier.source.file.ManifestParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in {@code examples/} is a working setup: it translates with no problem and no False
 * condition, serves at least one route, and every Service a route sends to has an endpoint.
 */
class ExamplesTest {
    private static final Path DIR = Path.of("examples");

    static Stream<String> examples() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereIsAnExamplePerGatewayRouteFeature() throws IOException {
        assertThat(examples().toList()).contains("gatewayroute-paths.yaml", "gatewayroute-matches.yaml",
                "gatewayroute-canary.yaml", "gatewayroute-balancing.yaml", "gatewayroute-headers.yaml",
                "gatewayroute-rewrite.yaml", "gatewayroute-redirect.yaml", "gatewayroute-direct-response.yaml",
                "gatewayroute-timeouts.yaml", "gatewayroute-resolver.yaml", "gatewayroute-grpc.yaml",
                "gatewayroute-handler-web.yaml", "gatewayroute-handler-rpc.yaml", "gatewayroute-handler-event.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void translatesCleanly(String name) throws Exception {
        String text = Files.readString(DIR.resolve(name), StandardCharsets.UTF_8);
        var manifests = ManifestParser.parse(name, text);
        assertThat(manifests.warnings()).as("what the reader skipped").isEmpty();
        var result = Translator.translate(ManifestParser.toSnapshot(manifests.objects()), TranslateOptions.DEFAULTS, java.time.Instant.now());

        for (ObjectStatus status : result.statuses()) {
            assertThat(status.problems()).as("problems of %s", status.object()).isEmpty();
            for (Condition c : status.conditions()) {
                assertThat(c.status()).as("%s of %s: %s", c.type(), status.object(), c.message()).isEqualTo("True");
            }
        }
        if (name.startsWith("gatewayroute-")) {
            assertThat(result.statuses()).as("statuses").anySatisfy(s -> assertThat(s.object().kind()).isEqualTo("GatewayRoute"));
        }
        List<Route> routes = new ArrayList<>();
        result.table().virtualHosts().forEach(h -> routes.addAll(h.routes()));
        assertThat(routes).as("routes").isNotEmpty();
        for (Route route : routes) {
            List<ServiceKey> targets = new ArrayList<>();
            if (route.action() instanceof RouteAction.Forward f) f.backends().stream().map(WeightedBackend::service).forEach(targets::add);
            if (route.action() instanceof RouteAction.Resolve r && r.handler() instanceof ResolverHandler.Event e) {
                targets.add(e.sink()); // the event handler names no Service: its sink gets every event
            } else if (route.action() instanceof RouteAction.Resolve r) {
                assertThat(r.services()).as("resolved Services of %s", route.id()).isNotEmpty();
                targets.addAll(r.services().values());
            }
            for (ServiceKey key : targets) {
                assertThat(result.endpoints().get(key)).as("endpoints of %s (route %s)", key, route.id()).isNotEmpty();
            }
        }
    }
}
