package dev.pier.e2e;

import static dev.pier.e2e.E2e.headers;
import static dev.pier.e2e.E2e.route;
import static dev.pier.e2e.E2e.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.e2e.E2e.Backend;
import dev.pier.e2e.E2e.Reply;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Timeouts and retries from GatewayRoute files. Margins are wide on purpose: a 200-300 ms limit
 * against a backend that answers after 3 s, so only the status is asserted, never a duration.
 */
class TimeoutRetryE2eTest {
    static E2e e2e;
    static Backend slow, flaky;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        List<Backend> all = e2e.backends("slow", "flaky");
        slow = all.get(0);
        flaky = all.get(1);
        e2e.apply("" + service("slow", slow) + service("flaky", flaky) + route("limits", """
                hostnames: [limits.test]
                rules:
                - matches: [{path: {value: /backend-timeout}}]
                  backendRefs: [{name: slow, port: 80}]
                  timeouts: {backendRequest: 200ms}
                - matches: [{path: {value: /request-timeout}}]
                  backendRefs: [{name: slow, port: 80}]
                  timeouts: {request: 300ms}
                - matches: [{path: {value: /retry}}]
                  backendRefs: [{name: flaky, port: 80}]
                  retry: {attempts: 1, codes: [503]}
                - matches: [{path: {value: /no-retry}}]
                  backendRefs: [{name: flaky, port: 80}]
                """));
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
    }

    @BeforeEach
    void reset() {
        slow.reset();
        slow.delayMillis = 3000;
        flaky.reset();
    }

    @Test
    void backendRequestTimeoutAnswers504() {
        Reply r = e2e.get("limits.test", "/backend-timeout");
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.body()).contains("backend timed out");
        assertThat(slow.hits.get()).as("a per-try timeout is not retried").isEqualTo(1);
    }

    @Test
    void requestTimeoutAnswers504() {
        Reply r = e2e.get("limits.test", "/request-timeout");
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.body()).contains("request timed out");
    }

    @Test
    void aRetriedStatusIsTriedAgainForAGet() {
        flaky.failNext(1, 503);
        Reply r = e2e.get("limits.test", "/retry?n=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.backend()).isEqualTo("flaky");
        assertThat(flaky.hits.get()).as("two tries").isEqualTo(2);
        assertThat(flaky.seen).extracting(j -> j.getString("uri")).containsExactly("/retry?n=1", "/retry?n=1");
    }

    @Test
    void onlyTheConfiguredAttemptsAndCodesAreRetried() {
        flaky.failNext(2, 503);
        assertThat(e2e.get("limits.test", "/retry").status()).as("one retry, both tries 503").isEqualTo(503);
        assertThat(flaky.hits.get()).isEqualTo(2);

        flaky.reset();
        flaky.failNext(1, 500);
        assertThat(e2e.get("limits.test", "/retry").status()).as("500 is not in codes").isEqualTo(500);
        assertThat(flaky.hits.get()).isEqualTo(1);

        flaky.reset();
        flaky.failNext(1, 503);
        assertThat(e2e.get("limits.test", "/no-retry").status()).as("no retry policy").isEqualTo(503);
        assertThat(flaky.hits.get()).isEqualTo(1);
    }

    @Test
    void aPostIsNotRetried() {
        flaky.failNext(1, 503);
        Reply r = e2e.send(HttpMethod.POST, "limits.test", "/retry", headers(), "order=1");
        assertThat(r.status()).isEqualTo(503);
        assertThat(flaky.hits.get()).isEqualTo(1);
        assertThat(flaky.seen.get(0).getString("body")).isEqualTo("order=1");

        flaky.reset();
        flaky.failNext(1, 503);
        assertThat(e2e.send(HttpMethod.POST, "limits.test", "/retry", headers(), null).status())
                .as("not even without a body: POST is not idempotent").isEqualTo(503);
        assertThat(flaky.hits.get()).isEqualTo(1);
    }
}
