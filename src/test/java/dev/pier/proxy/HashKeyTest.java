package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.balance.Balancer;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The consistent-hash key each {@code HashOn} source reads from a real request. A recording
 * balancer stands in for the hash ring (the balance room owns the ring itself).
 */
class HashKeyTest {

    /** Records the keys it is given and always picks the first endpoint. */
    static final class RecordingBalancer implements Balancer {
        final List<String> keys = Collections.synchronizedList(new ArrayList<>());
        private volatile List<Endpoint> endpoints = List.of();

        @Override
        public void setEndpoints(List<Endpoint> endpoints) {
            this.endpoints = endpoints;
        }

        @Override
        public Endpoint pick(String hashKey, Endpoint avoid) {
            keys.add(String.valueOf(hashKey));
            return endpoints.isEmpty() ? null : endpoints.get(0);
        }
    }

    private static List<String> keysFor(HashOn hashOn, String uri, MultiMap headers) {
        try (Fixture f = new Fixture()) {
            f.endpoints("svc", f.backend("a"));
            RecordingBalancer recorder = new RecordingBalancer();
            // Serve through a server whose only job is to hand each real request to Target.hashKey.
            Target target = new Target(Fixture.svc("svc"), recorder, new BalancerPolicy(BalancerPolicy.Type.CONSISTENT_HASH, hashOn),
                    null, dev.pier.model.BackendProtocol.HTTP1, null);
            Endpoint probe = f.backend("probe", req -> {
                target.balancer.pick(target.hashKey(req), null);
                req.response().end();
            });
            f.endpoints("probe", probe);
            f.plane.apply(table(host("*", new Route("r", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                    new RouteAction.Forward(List.of(new WeightedBackend(Fixture.svc("probe"), 1,
                            new BalancerPolicy(BalancerPolicy.Type.CONSISTENT_HASH, hashOn)))),
                    List.of(), Timeouts.NONE, RetryPolicy.NONE))));
            f.send(HttpMethod.GET, "x", uri, headers, null);
            return recorder.keys;
        }
    }

    @Test
    void headerCookieQueryAndSourceIp() {
        // Read at the backend from the forwarded request: the proxy passes these through unchanged.
        assertThat(keysFor(new HashOn(HashOn.Source.HEADER, "X-User"), "/",
                MultiMap.caseInsensitiveMultiMap().add("x-user", "alice"))).containsExactly("alice");
        assertThat(keysFor(new HashOn(HashOn.Source.COOKIE, "session"), "/",
                MultiMap.caseInsensitiveMultiMap().add("cookie", "a=1; session=s42"))).containsExactly("s42");
        assertThat(keysFor(new HashOn(HashOn.Source.QUERY_PARAM, "user"), "/?user=bob&x=1",
                MultiMap.caseInsensitiveMultiMap())).containsExactly("bob");
        assertThat(keysFor(new HashOn(HashOn.Source.SOURCE_IP, ""), "/",
                MultiMap.caseInsensitiveMultiMap())).containsExactly("127.0.0.1");
    }

    @Test
    void missingValueGivesNoKey() {
        assertThat(keysFor(new HashOn(HashOn.Source.HEADER, "X-User"), "/", MultiMap.caseInsensitiveMultiMap()))
                .containsExactly("null");
        assertThat(keysFor(new HashOn(HashOn.Source.COOKIE, "session"), "/",
                MultiMap.caseInsensitiveMultiMap().add("cookie", "other=1"))).containsExactly("null");
    }

    @Test
    void roundRobinPolicyReadsNoKey() {
        Target target = new Target(Fixture.svc("svc"), new RecordingBalancer(), BalancerPolicy.ROUND_ROBIN, null,
                dev.pier.model.BackendProtocol.HTTP1, null);
        assertThat(target.hashKey(null)).isNull();
    }
}
