package dev.pier.e2e;

import static dev.pier.e2e.E2e.headers;
import static dev.pier.e2e.E2e.route;
import static dev.pier.e2e.E2e.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.e2e.E2e.Backend;
import dev.pier.e2e.E2e.Reply;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Weighted splits between Services and the five balancers over one Service with three endpoints.
 * Each test names its own Services, so no balancer state carries over from another test.
 */
class BalancingE2eTest {
    static E2e e2e;
    static Backend a, b, c;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        List<Backend> all = e2e.backends("a", "b", "c");
        a = all.get(0);
        b = all.get(1);
        c = all.get(2);
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
    }

    @BeforeEach
    void reset() {
        for (Backend x : List.of(a, b, c)) x.reset();
    }

    private static Map<String, Integer> count(String host, String uri, int n) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) counts.merge(e2e.get(host, uri).backend(), 1, Integer::sum);
        return counts;
    }

    private static List<String> sequence(String host, String uri, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(e2e.get(host, uri).backend());
        return out;
    }

    @Test
    void weightedSplitSendsExactSharesAndNothingToWeightZero() throws Exception {
        e2e.apply("" + service("split-a", a) + service("split-b", b) + service("split-c", c) + route("split", """
                hostnames: [split.test]
                rules:
                - matches: [{path: {value: /zero}}]
                  backendRefs: [{name: split-a, port: 80, weight: 0}, {name: split-b, port: 80, weight: 0}]
                - backendRefs:
                  - {name: split-a, port: 80, weight: 3}
                  - {name: split-b, port: 80, weight: 1}
                  - {name: split-c, port: 80, weight: 0}
                """));

        assertThat(count("split.test", "/", 400)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 300, "b", 100));
        assertThat(c.hits.get()).as("weight 0 gets nothing").isZero();
        Reply zero = e2e.get("split.test", "/zero");
        assertThat(zero.status()).as("every weight 0: 503").isEqualTo(503);
        assertThat(zero.backend()).isNull();
    }

    @Test
    void roundRobinTakesEndpointsInOrder() throws Exception {
        e2e.apply(service("rr", a, b, c) + route("rr", """
                hostnames: [rr.test]
                rules:
                - backendRefs: [{name: rr, port: 80}]
                  loadBalancer: {type: RoundRobin}
                """));

        assertThat(sequence("rr.test", "/", 9)).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c");
    }

    @Test
    void weightedRoundRobinFollowsEndpointSliceWeights() throws Exception {
        e2e.apply(service("wrr").endpoint(a, 5).endpoint(b, 1).endpoint(c, 1) + route("wrr", """
                hostnames: [wrr.test]
                rules:
                - backendRefs: [{name: wrr, port: 80}]
                  loadBalancer: {type: WeightedRoundRobin}
                """));

        // Smooth weighted round-robin (nginx's): interleaved, not a run of five.
        assertThat(sequence("wrr.test", "/", 14))
                .containsExactly("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void consistentHashByHeaderCookieAndQueryParam() throws Exception {
        e2e.apply(service("hash", a, b, c) + route("hash", """
                hostnames: [hash.test]
                rules:
                - matches: [{path: {value: /header}}]
                  backendRefs: [{name: hash, port: 80}]
                  loadBalancer: {type: ConsistentHash, hashOn: {header: x-user}}
                - matches: [{path: {value: /cookie}}]
                  backendRefs: [{name: hash, port: 80}]
                  loadBalancer: {type: ConsistentHash, hashOn: {cookie: sid}}
                - matches: [{path: {value: /query}}]
                  backendRefs: [{name: hash, port: 80}]
                  loadBalancer: {type: ConsistentHash, hashOn: {queryParam: u}}
                - matches: [{path: {value: /ip}}]
                  backendRefs: [{name: hash, port: 80}]
                  loadBalancer: {type: ConsistentHash, hashOn: {sourceIP: true}}
                """));

        Set<String> byHeader = new HashSet<>();
        Set<String> byCookie = new HashSet<>();
        Set<String> byQuery = new HashSet<>();
        for (int key = 0; key < 30; key++) {
            String user = "user-" + key;
            Set<String> header = new HashSet<>();
            Set<String> cookie = new HashSet<>();
            Set<String> query = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                header.add(e2e.get("hash.test", "/header", headers("x-user", user)).backend());
                cookie.add(e2e.get("hash.test", "/cookie", headers("cookie", "theme=dark; sid=" + user)).backend());
                query.add(e2e.get("hash.test", "/query?x=1&u=" + user).backend());
                if (key > 0) break; // one key is enough for "always the same", the others show the spread
            }
            assertThat(header).as("header key %s always reaches one backend", user).hasSize(1);
            assertThat(cookie).as("cookie key %s", user).hasSize(1);
            assertThat(query).as("query key %s", user).hasSize(1);
            byHeader.addAll(header);
            byCookie.addAll(cookie);
            byQuery.addAll(query);
        }
        assertThat(byHeader).as("30 keys spread over the endpoints").hasSizeGreaterThan(1);
        assertThat(byCookie).hasSizeGreaterThan(1);
        assertThat(byQuery).hasSizeGreaterThan(1);
        // Parameter names are case-sensitive: ?U= is no key, so each request gets a random endpoint.
        assertThat(Set.copyOf(sequence("hash.test", "/query?U=user-0", 30))).hasSizeGreaterThan(1);
        assertThat(Set.copyOf(sequence("hash.test", "/ip", 20))).as("one client IP, one backend").hasSize(1);
    }

    @Test
    void leastRequestAvoidsTheEndpointWithRequestsInFlight() throws Exception {
        e2e.apply(service("least", a, b, c) + route("least", """
                hostnames: [least.test]
                rules:
                - backendRefs: [{name: least, port: 80}]
                  loadBalancer: {type: LeastRequest}
                """));
        b.hold(true); // b is the slow one: what reaches it stays in flight until released
        List<Future<Reply>> parked = new ArrayList<>();
        Map<String, Integer> answered = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            int heldBefore = b.heldCount();
            Future<Reply> reply = e2e.sendAsync(HttpMethod.GET, "least.test", "/", headers(), null);
            // Wait until this request was either answered (a or c) or parked at b, so the next
            // pick sees the in-flight counts this one left.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!reply.isComplete() && b.heldCount() == heldBefore && System.nanoTime() < deadline) Thread.sleep(1);
            if (b.heldCount() > heldBefore) {
                parked.add(reply);
            } else {
                answered.merge(E2e.await(reply).backend(), 1, Integer::sum);
            }
        }
        int slow = parked.size();
        b.releaseHeld();
        for (Future<Reply> r : parked) assertThat(E2e.await(r).backend()).isEqualTo("b");

        // Two random choices: b loses every draw against a or c once it has a request in flight.
        assertThat(slow).as("requests parked at the slow backend; answered: %s", answered).isLessThanOrEqualTo(3);
        assertThat(answered.getOrDefault("a", 0)).isGreaterThan(slow);
        assertThat(answered.getOrDefault("c", 0)).isGreaterThan(slow);
        assertThat(slow + answered.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
    }

    @Test
    void randomReachesEveryEndpoint() throws Exception {
        e2e.apply(service("random", a, b, c) + route("random", """
                hostnames: [random.test]
                rules:
                - backendRefs: [{name: random, port: 80}]
                  loadBalancer: {type: Random}
                """));

        // 90 uniform picks miss one of three endpoints with probability 3 * (2/3)^90, about 1e-15.
        assertThat(count("random.test", "/", 90).keySet()).containsExactly("a", "b", "c");
    }
}
