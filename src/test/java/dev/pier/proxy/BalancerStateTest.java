package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.balance.ConsistentHash;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.BalancerPolicy.HashOn;
import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import dev.pier.model.WeightedBackend;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Derived balancer state (a hash ring) is built when endpoints change or a table is applied, on
 * the caller's thread; event loops only read it when they pick.
 */
class BalancerStateTest {
    private static final BalancerPolicy BY_USER =
            new BalancerPolicy(BalancerPolicy.Type.CONSISTENT_HASH, new HashOn(HashOn.Source.HEADER, "x-user"));

    @Test
    void hashRingIsReadyBeforeTheFirstRequestAndFollowsEndpointChanges() {
        try (Fixture f = new Fixture()) {
            Endpoint a = f.backend("a"), b = f.backend("b"), c = f.backend("c");
            f.endpoints("svc", a, b);
            f.plane.apply(table(host("*", new Route("r", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                    new RouteAction.Forward(List.of(new WeightedBackend(svc("svc"), 1, BY_USER))),
                    List.of(), Timeouts.NONE, RetryPolicy.NONE))));
            ConsistentHash ring = (ConsistentHash) f.plane.liveTable().balancer(svc("svc"), BY_USER);

            // Built by apply, before any request.
            assertThat(ring.ringEndpoints()).containsExactly(a, b);
            String first = userGoesTo(f, "alice");
            assertThat(first).isIn("a", "b");

            // Rebuilt by the endpoint update itself, not by the next request on an event loop.
            f.endpoints("svc", a, b, c);
            assertThat(ring.ringEndpoints()).containsExactly(a, b, c);
            f.endpoints("svc", c);
            assertThat(ring.ringEndpoints()).containsExactly(c);
            assertThat(userGoesTo(f, "alice")).isEqualTo("c");
            f.endpoints("svc", a, b);
            assertThat(userGoesTo(f, "alice")).isEqualTo(first);
        }
    }

    private static String userGoesTo(Fixture f, String user) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-user", user);
        return f.send(HttpMethod.GET, "x", "/", headers, null).backend();
    }
}
