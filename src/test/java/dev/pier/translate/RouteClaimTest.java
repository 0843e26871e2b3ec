package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A claim packs its flags into its indexes and makes its field name when asked: both must read back as given. */
class RouteClaimTest {

    private static Route route(String kind) {
        return new Route(kind.toLowerCase() + "/web/shop/rule/0", new ObjectRef(kind, "web", "shop"),
                RouteMatch.path(PathMatch.prefix("/")), new RouteAction.Forward(List.of()), List.of(), Timeouts.NONE,
                RetryPolicy.NONE);
    }

    @Test
    void readsBackItsIndexesAndFlagsAndNamesItsField() {
        RouteClaim ingress = new RouteClaim("shop.example.com", route("Ingress"), null, 12, 3, false, true);
        assertThat(ingress.ruleIndex()).isEqualTo(12);
        assertThat(ingress.matchIndex()).isEqualTo(3);
        assertThat(ingress.deleting()).isTrue();
        assertThat(ingress.createdAt()).isEmpty();
        assertThat(ingress.field()).isEqualTo("spec.rules[12].http.paths[3]");
        assertThat(new RouteClaim("*", route("Ingress"), "t", 1, 0, false, false).field()).isEqualTo("spec.rules[1].http.paths[0]");

        RouteClaim match = new RouteClaim("*", route("GatewayRoute"), "2026-11-28T00:00:00Z", 2, 1, false, false);
        assertThat(match.deleting()).isFalse();
        assertThat(match.createdAt()).isEqualTo("2026-11-28T00:00:00Z");
        assertThat(match.field()).isEqualTo("spec.rules[2].matches[1]");
        RouteClaim resolver = new RouteClaim("*", route("GatewayRoute"), "", 4, 2, true, true);
        assertThat(resolver.field()).isEqualTo("spec.rules[4].resolver");
        assertThat(resolver.ruleIndex()).isEqualTo(4);
        assertThat(resolver.matchIndex()).isEqualTo(2);
        assertThat(resolver.deleting()).isTrue();

        int largest = Integer.MAX_VALUE >> 1;
        RouteClaim far = new RouteClaim("*", route("Ingress"), "", largest, largest, false, true);
        assertThat(far.ruleIndex()).isEqualTo(largest);
        assertThat(far.matchIndex()).isEqualTo(largest);
        assertThatThrownBy(() -> new RouteClaim("*", route("Ingress"), "", largest + 1, 0, false, false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
