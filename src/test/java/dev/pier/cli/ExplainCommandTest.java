package dev.pier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code pier explain} on the precedence cases of the golden files: which rule wins, the verdict of
 * every other rule, and for a rule that matched but lost the precedence step that decided.
 */
class ExplainCommandTest {
    private static final String PRECEDENCE = "src/test/resources/translate/precedence.in.yaml";
    private static final String MERGE = "src/test/resources/translate/gr-precedence-merge.in.yaml";

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    /** Output through picocli's writers only: System.out and System.err are the JVM's, shared with every thread. */
    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new PierCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode rule(JsonNode explanation, String route) {
        return StreamSupport.stream(explanation.path("rules").spliterator(), false)
                .filter(r -> r.path("route").asText().equals(route)).findFirst().orElseThrow(() -> new AssertionError("no rule " + route));
    }

    @Test
    void anExactPathBeatsTheSamePrefixAndSaysWhy() throws Exception {
        Run run = run("explain", "--file", PRECEDENCE, "--host", "a.example.com", "--path", "/api", "--output", "json");
        assertThat(run.code()).isZero();
        JsonNode e = run.json();
        assertThat(e.path("host").path("step").asText()).isEqualTo("exact");
        assertThat(e.path("winner").path("route").asText()).isEqualTo("ingress/web/young/rule/0/path/3");
        assertThat(rule(e, "ingress/web/young/rule/0/path/3").path("match").asText()).isEqualTo("path = /api");
        JsonNode prefix = rule(e, "ingress/web/young/rule/0/path/1");
        assertThat(prefix.path("verdict").asText()).isEqualTo("outranked");
        assertThat(prefix.path("why").asText()).endsWith("an Exact path comes before a regular expression, which comes before a Prefix");
        assertThat(rule(e, "ingress/web/young/rule/0/path/2").path("verdict").asText()).isEqualTo("path-differs"); // /api/v1
        assertThat(rule(e, "ingress/web/old/rule/0/path/0").path("verdict").asText()).isEqualTo("path-differs"); // /login
        // Every rule of the host is listed, in table order.
        assertThat(e.path("rules")).hasSize(6);
        assertThat(e.path("rules").get(0).path("order").asInt()).isZero();
        JsonNode backend = e.path("backends").get(0);
        assertThat(backend.path("service").asText()).isEqualTo("web/shop:80");
        assertThat(backend.path("endpoints")).isEmpty();
    }

    @Test
    void theLongerPrefixWins() throws Exception {
        JsonNode e = run("explain", "--file", PRECEDENCE, "--host", "a.example.com", "--path", "/api/v1/users", "--output", "json").json();
        assertThat(e.path("winner").path("route").asText()).isEqualTo("ingress/web/young/rule/0/path/2");
        assertThat(rule(e, "ingress/web/young/rule/0/path/1").path("why").asText()).endsWith("the longer path value comes first");
        assertThat(rule(e, "ingress/web/young/rule/0/path/3").path("verdict").asText()).isEqualTo("path-differs"); // Exact /api
    }

    @Test
    void methodThenHeadersThenQueryDecideBetweenEqualPrefixes() throws Exception {
        JsonNode get = run("explain", "--file", MERGE, "--host", "shop.example.com", "--path", "/cart/x",
                "--header", "a=1", "--header", "b=2", "--output", "json").json();
        assertThat(get.path("winner").path("route").asText()).as("a method match ranks first").isEqualTo("gatewayroute/web/newer/rule/0/match/4");
        assertThat(rule(get, "gatewayroute/web/newer/rule/0/match/6").path("why").asText())
                .endsWith("a match with a method comes before one without");

        JsonNode post = run("explain", "--file", MERGE, "--host", "shop.example.com", "--path", "/cart/x", "--method", "POST",
                "--header", "a=1", "--header", "b=2", "--output", "json").json();
        assertThat(rule(post, "gatewayroute/web/newer/rule/0/match/4").path("verdict").asText()).isEqualTo("condition-failed");
        assertThat(rule(post, "gatewayroute/web/newer/rule/0/match/4").path("why").asText())
                .isEqualTo("the path matches, but the method GET does not hold (request: POST)");
        assertThat(post.path("winner").path("route").asText()).as("two headers beat one").isEqualTo("gatewayroute/web/newer/rule/0/match/6");
        assertThat(rule(post, "gatewayroute/web/newer/rule/0/match/5").path("why").asText()).endsWith("more header matches come first");
        assertThat(rule(post, "gatewayroute/web/newer/rule/0/match/7").path("why").asText())
                .isEqualTo("the path matches, but the query parameter q = 1 does not hold");
        assertThat(rule(post, "ingress/web/legacy/rule/0/path/0").path("why").asText()).endsWith("the longer path value comes first");

        JsonNode query = run("explain", "--file", MERGE, "--host", "shop.example.com", "--path", "/cart/x?q=1", "--method", "POST",
                "--output", "json").json();
        assertThat(query.path("winner").path("route").asText()).isEqualTo("gatewayroute/web/newer/rule/0/match/7");
    }

    @Test
    void aRegexRanksByLengthAndTheResolverNamesItsService() throws Exception {
        JsonNode item = run("explain", "--file", MERGE, "--host", "shop.example.com", "--path", "/item/42", "--output", "json").json();
        assertThat(item.path("winner").path("route").asText()).isEqualTo("gatewayroute/web/newer/rule/0/match/1");
        assertThat(rule(item, "ingress/web/legacy/rule/0/path/0").path("why").asText())
                .endsWith("an Exact path comes before a regular expression, which comes before a Prefix");

        Run resolver = run("explain", "--file", MERGE, "--host", "shop.example.com", "--path", "/apps/app/x");
        assertThat(resolver.code()).isZero();
        assertThat(resolver.out()).contains("* [17] gatewayroute/web/newer/rule/1/resolver (path prefix /apps)")
                .contains("backend: web/app:80").contains("the resolver names Service app from the path; the backend gets path /app/x");
    }

    @Test
    void anUnknownHostIsA404AndExitsOne() {
        Run run = run("explain", "--file", PRECEDENCE, "--host", "b.example.com", "--path", "/");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("\"b.example.com\" has no virtual host, no wildcard covers it and there is no catch-all *")
                .contains("no route: answered 404");
    }

    @Test
    void aBadHeaderFlagExitsTwo() {
        Run run = run("explain", "--file", PRECEDENCE, "--host", "a.example.com", "--header", "novalue");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--header must be NAME=VALUE");
    }
}
