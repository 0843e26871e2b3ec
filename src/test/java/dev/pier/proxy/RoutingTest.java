package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static dev.pier.proxy.Fixture.to;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.RoutingTable;
import dev.pier.model.StringMatch;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which backend a request reaches: hosts, path types, precedence, conditions, default route. */
class RoutingTest {
    static Fixture f;

    @BeforeAll
    static void start() {
        f = new Fixture();
        for (String name : List.of("exact", "prefix", "deep", "regex", "wild", "any", "root", "def", "hdr", "qry", "post", "first", "second")) {
            f.endpoints(name, f.backend(name));
        }
        Route headerRoute = new Route("hdr", Fixture.SOURCE,
                new RouteMatch(PathMatch.prefix("/cond"), null,
                        List.of(new StringMatch("x-env", StringMatch.Type.REGEX, "can(ary|dy)")), List.of()),
                new dev.pier.model.RouteAction.Forward(List.of(to("hdr"))), List.of(), dev.pier.model.Timeouts.NONE,
                dev.pier.model.RetryPolicy.NONE);
        Route queryRoute = new Route("qry", Fixture.SOURCE,
                new RouteMatch(PathMatch.prefix("/cond"), null, List.of(), List.of(StringMatch.exact("v", "2"))),
                new dev.pier.model.RouteAction.Forward(List.of(to("qry"))), List.of(), dev.pier.model.Timeouts.NONE,
                dev.pier.model.RetryPolicy.NONE);
        Route postRoute = new Route("post", Fixture.SOURCE,
                new RouteMatch(PathMatch.prefix("/cond"), "POST", List.of(), List.of()),
                new dev.pier.model.RouteAction.Forward(List.of(to("post"))), List.of(), dev.pier.model.Timeouts.NONE,
                dev.pier.model.RetryPolicy.NONE);
        RoutingTable t = new RoutingTable(List.of(
                host("shop.example.com",
                        route("exact", PathMatch.exact("/a/b"), "exact"),
                        route("deep", PathMatch.prefix("/a/b/"), "deep"),
                        route("prefix", PathMatch.prefix("/a"), "prefix"),
                        route("regex", PathMatch.regex("/img/[0-9]+\\.png"), "regex"),
                        headerRoute, queryRoute, postRoute,
                        route("first", PathMatch.prefix("/dup"), "first"),
                        route("second", PathMatch.prefix("/dup"), "second"),
                        route("root", PathMatch.prefix("/"), "root")),
                host("*.example.com", route("wild", PathMatch.prefix("/"), "wild")),
                host("*", route("any", PathMatch.prefix("/only-any"), "any"))),
                route("def", PathMatch.prefix("/"), "def"));
        f.plane.apply(t);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static String backendFor(String host, String uri) {
        return f.get(host, uri).backend();
    }

    @Test
    void exactPathBeatsPrefixWhenListedFirst() {
        assertThat(backendFor("shop.example.com", "/a/b")).isEqualTo("exact");
        assertThat(backendFor("shop.example.com", "/a/b?x=1")).isEqualTo("exact");
    }

    @Test
    void prefixMatchesWholeSegmentsOnly() {
        assertThat(backendFor("shop.example.com", "/a")).isEqualTo("prefix");
        assertThat(backendFor("shop.example.com", "/a/")).isEqualTo("prefix");
        assertThat(backendFor("shop.example.com", "/a/c/d")).isEqualTo("prefix");
        assertThat(backendFor("shop.example.com", "/a/b/c")).isEqualTo("deep");
        assertThat(backendFor("shop.example.com", "/abc")).isEqualTo("root");
    }

    @Test
    void regexIsAFullMatch() {
        assertThat(backendFor("shop.example.com", "/img/42.png")).isEqualTo("regex");
        assertThat(backendFor("shop.example.com", "/img/42.png.bak")).isEqualTo("root");
    }

    @Test
    void hostIsCaseInsensitiveAndPortIsIgnored() {
        assertThat(backendFor("SHOP.Example.COM:8080", "/a")).isEqualTo("prefix");
    }

    @Test
    void oneTrailingDotNamesTheSameHost() {
        assertThat(backendFor("shop.example.com.", "/a")).isEqualTo("prefix");
        assertThat(backendFor("Shop.Example.COM.:8080", "/a")).isEqualTo("prefix");
        assertThat(backendFor("api.example.com.", "/x")).isEqualTo("wild");
        // Only one dot is the root label; two are no name Pier serves.
        assertThat(backendFor("shop.example.com..", "/a")).isEqualTo("def");
    }

    @Test
    void hostKeyCopiesOnlyWhenItChangesSomething() {
        String plain = "shop.example.com";
        assertThat(CompiledTable.hostKey(plain)).isSameAs(plain);
        assertThat(CompiledTable.hostKey("shop.example.com.")).isEqualTo(plain);
        assertThat(CompiledTable.hostKey("SHOP.example.com.")).isEqualTo(plain);
        assertThat(CompiledTable.hostKey("")).isEmpty();
        assertThat(CompiledTable.hostKey(".")).isEmpty();
    }

    @Test
    void wildcardCoversExactlyOneLabel() {
        assertThat(backendFor("api.example.com", "/x")).isEqualTo("wild");
        assertThat(backendFor("a.b.example.com", "/only-any")).isEqualTo("any");
        assertThat(backendFor("example.com", "/only-any")).isEqualTo("any");
    }

    @Test
    void defaultRouteAnswersWhenNoRouteOfTheHostMatches() {
        assertThat(backendFor("other.org", "/nothing")).isEqualTo("def");
        assertThat(backendFor("a.b.example.com", "/nothing")).isEqualTo("def");
    }

    @Test
    void tableOrderIsPrecedence() {
        assertThat(backendFor("shop.example.com", "/dup/x")).isEqualTo("first");
    }

    @Test
    void headerQueryAndMethodConditions() {
        MultiMap canary = MultiMap.caseInsensitiveMultiMap().add("X-Env", "canary");
        assertThat(f.send(HttpMethod.GET, "shop.example.com", "/cond", canary, null).backend()).isEqualTo("hdr");
        MultiMap other = MultiMap.caseInsensitiveMultiMap().add("X-Env", "canaryx");
        assertThat(f.send(HttpMethod.GET, "shop.example.com", "/cond", other, null).backend()).isEqualTo("root");
        assertThat(backendFor("shop.example.com", "/cond?v=2")).isEqualTo("qry");
        assertThat(backendFor("shop.example.com", "/cond?v=3")).isEqualTo("root");
        assertThat(f.send(HttpMethod.POST, "shop.example.com", "/cond", MultiMap.caseInsensitiveMultiMap(), "x").backend())
                .isEqualTo("post");
    }

    @Test
    void noRouteAndNoDefaultIs404() {
        try (Fixture g = new Fixture()) {
            g.plane.apply(table(host("a.test", route("r", PathMatch.prefix("/x"), "svc"))));
            var reply = g.get("a.test", "/y");
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.body()).isEqualTo("no route\n");
        }
    }
}
