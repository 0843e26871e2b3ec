package dev.pier.e2e;

import static dev.pier.e2e.E2e.route;
import static dev.pier.e2e.E2e.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.e2e.E2e.Backend;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input never takes down good input: what serves, and what {@code /routes} on the admin port says. */
class BadInputE2eTest {
    static E2e e2e;
    static Backend app;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        app = e2e.backend("app");
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
    }

    /** The conditions /routes shows for GatewayRoute e2e/{@code name}. */
    private static JsonArray conditions(String name) {
        JsonObject routes = new JsonObject(e2e.admin("/routes").body());
        for (Object o : routes.getJsonObject("live").getJsonArray("statuses")) {
            JsonObject status = (JsonObject) o;
            JsonObject ref = status.getJsonObject("object");
            if (ref.getString("kind").equals("GatewayRoute") && ref.getString("name").equals(name)) {
                return status.getJsonArray("conditions");
            }
        }
        throw new AssertionError("no status for GatewayRoute " + name + " in " + routes.encodePrettily());
    }

    private static JsonObject condition(String route, String type) {
        return conditions(route).stream().map(JsonObject.class::cast).filter(c -> c.getString("type").equals(type))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " condition on " + route));
    }

    @Test
    void anInvalidRuleIsLeftOutTheValidRuleServesAndTheStatusNamesIt() throws Exception {
        e2e.apply(service("app", app) + route("mixed", """
                hostnames: [bad.test]
                rules:
                - matches: [{path: {type: RegularExpression, value: "/broken/[a-"}}]
                  backendRefs: [{name: app, port: 80}]
                - matches: [{path: {value: /good}}]
                  backendRefs: [{name: app, port: 80}]
                """) + route("all-bad", """
                hostnames: [allbad.test]
                rules:
                - matches: [{path: {type: PathPrefix, value: no-slash}}]
                  backendRefs: [{name: app, port: 80}]
                """));

        assertThat(e2e.get("bad.test", "/good/x").backend()).isEqualTo("app");
        assertThat(e2e.get("bad.test", "/broken/a").status()).isEqualTo(404);

        JsonObject accepted = condition("mixed", "Accepted");
        assertThat(accepted.getString("status")).isEqualTo("True");
        assertThat(accepted.getString("reason")).isEqualTo("PartiallyInvalid");
        assertThat(accepted.getString("message")).startsWith("1 of 2 rules left out: ")
                .contains("rules[0].matches[0].path.value: invalid regular expression \"/broken/[a-\"");
        assertThat(condition("mixed", "ResolvedRefs").getString("status")).isEqualTo("True");

        JsonObject invalid = condition("all-bad", "Accepted");
        assertThat(invalid.getString("status")).isEqualTo("False");
        assertThat(invalid.getString("reason")).isEqualTo("Invalid");
        assertThat(invalid.getString("message")).contains("rules[0].matches[0].path.value");
        assertThat(e2e.admin("/readyz").status()).isEqualTo(200);
    }

    @Test
    void aMissingServiceKeepsItsShareAnswered503() throws Exception {
        e2e.apply(service("app", app) + route("refs", """
                hostnames: [refs.test]
                rules:
                - backendRefs: [{name: app, port: 80}, {name: not-there, port: 80}]
                """));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) statuses.add(e2e.get("refs.test", "/").status());
        assertThat(statuses).as("weights 1/1: every other request").containsExactly(200, 503, 200, 503, 200, 503, 200, 503, 200, 503);
        JsonObject refs = condition("refs", "ResolvedRefs");
        assertThat(refs.getString("status")).isEqualTo("False");
        assertThat(refs.getString("reason")).isEqualTo("BackendNotFound");
        assertThat(refs.getString("message")).contains("rules[0].backendRefs[1].name").contains("e2e/not-there");
        assertThat(condition("refs", "Accepted").getString("reason")).isEqualTo("Accepted");
    }
}
