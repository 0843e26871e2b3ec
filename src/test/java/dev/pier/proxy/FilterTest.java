package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static dev.pier.proxy.Fixture.to;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.Filter;
import dev.pier.model.Header;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import dev.pier.model.WeightedBackend;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each filter end to end, the onion's order, and the weighted split. */
class FilterTest {
    static Fixture f;

    static Route withFilters(String id, PathMatch path, RouteAction action, Filter... filters) {
        return new Route(id, Fixture.SOURCE, RouteMatch.path(path), action, List.of(filters), Timeouts.NONE, RetryPolicy.NONE);
    }

    static RouteAction forward(String service) {
        return new RouteAction.Forward(List.of(to(service)));
    }

    static Filter.HeaderModifier mod(List<Header> set, List<Header> add, List<String> remove) {
        return new Filter.HeaderModifier(set, add, remove);
    }

    @BeforeAll
    static void start() {
        f = new Fixture();
        f.endpoints("svc", f.backend("svc", req -> {
            // Echo request facts, and send response headers for the response-side filters to edit.
            StringBuilder sb = new StringBuilder();
            sb.append(req.method()).append(' ').append(req.uri()).append('\n').append("host=").append(req.getHeader("host")).append('\n');
            for (String n : List.of("x-set", "x-add", "x-gone", "x-order")) sb.append(n).append('=').append(req.headers().getAll(n)).append('\n');
            req.response().putHeader("x-backend", "svc").putHeader("X-Resp-Set", "old").putHeader("X-Resp-Gone", "1")
                    .putHeader("X-Resp-Add", "a").end(sb.toString());
        }));
        f.endpoints("a", f.backend("a"));
        f.endpoints("b", f.backend("b"));
        PathMatch api = PathMatch.prefix("/api");
        f.plane.apply(table(host("*",
                withFilters("reqhdr", PathMatch.prefix("/reqhdr"), forward("svc"), new Filter.RequestHeaderModifier(mod(
                        List.of(new Header("x-set", "new")), List.of(new Header("X-Add", "two")), List.of("X-GONE")))),
                withFilters("resphdr", PathMatch.prefix("/resphdr"), forward("svc"), new Filter.ResponseHeaderModifier(mod(
                        List.of(new Header("x-resp-set", "new")), List.of(new Header("X-Resp-Add", "b")), List.of("x-resp-gone")))),
                withFilters("onion", PathMatch.prefix("/onion"), forward("svc"),
                        new Filter.RequestHeaderModifier(mod(List.of(new Header("X-Order", "first")), List.of(), List.of())),
                        new Filter.ResponseHeaderModifier(mod(List.of(new Header("X-Out", "outer")), List.of(), List.of())),
                        new Filter.RequestHeaderModifier(mod(List.of(new Header("X-Order", "second")), List.of(), List.of())),
                        new Filter.ResponseHeaderModifier(mod(List.of(new Header("X-Out", "inner")), List.of(), List.of()))),
                withFilters("prefix", api, forward("svc"), new Filter.UrlRewrite("internal.test",
                        new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, "/v2"))),
                withFilters("strip", PathMatch.prefix("/strip"), forward("svc"), new Filter.UrlRewrite(null,
                        new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, "/"))),
                withFilters("full", PathMatch.prefix("/full"), forward("svc"), new Filter.UrlRewrite(null,
                        new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_FULL_PATH, "/health"))),
                withFilters("tohttps", PathMatch.prefix("/tohttps"), new RouteAction.NoBackend(),
                        new Filter.RequestRedirect("https", null, null, null, 301)),
                withFilters("elsewhere", PathMatch.prefix("/old"), new RouteAction.NoBackend(),
                        new Filter.RequestRedirect(null, "new.test", 8080,
                                new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, "/new"), 302)),
                withFilters("fullredirect", PathMatch.prefix("/moved"), new RouteAction.NoBackend(),
                        new Filter.RequestRedirect(null, null, null,
                                new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_FULL_PATH, "/here"), 308)),
                withFilters("direct", PathMatch.prefix("/direct"), new RouteAction.NoBackend(),
                        new Filter.ResponseHeaderModifier(mod(List.of(new Header("X-Wrapped", "yes")), List.of(), List.of())),
                        new Filter.DirectResponse(418, "teapot\n"),
                        new Filter.ResponseHeaderModifier(mod(List.of(new Header("X-After", "never")), List.of(), List.of()))),
                new Route("split", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/split")), new RouteAction.Forward(List.of(
                        new WeightedBackend(svc("a"), 3, BalancerPolicy.ROUND_ROBIN),
                        new WeightedBackend(svc("b"), 1, BalancerPolicy.ROUND_ROBIN))),
                        List.of(), Timeouts.NONE, RetryPolicy.NONE))));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void requestHeaderModifierSetsAddsRemovesCaseInsensitively() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("X-SET", "old").add("x-add", "one").add("x-gone", "bye");
        String body = f.send(HttpMethod.GET, "a.test", "/reqhdr", h, null).body();
        assertThat(body).contains("x-set=[new]\n").contains("x-add=[one, two]\n").contains("x-gone=[]\n");
    }

    @Test
    void responseHeaderModifierSetsAddsRemoves() {
        var reply = f.get("a.test", "/resphdr");
        assertThat(reply.headers().getAll("x-resp-set")).containsExactly("new");
        assertThat(reply.headers().getAll("x-resp-add")).containsExactly("a", "b");
        assertThat(reply.headers().contains("x-resp-gone")).isFalse();
    }

    @Test
    void requestSidesRunInOrderResponseSidesInReverse() {
        var reply = f.get("a.test", "/onion");
        assertThat(reply.body()).contains("x-order=[second]\n");
        assertThat(reply.headers().get("x-out")).isEqualTo("outer");
    }

    @Test
    void urlRewriteReplacesHostnameAndMatchedPrefix() {
        String body = f.get("a.test", "/api/users?id=7").body();
        assertThat(body).startsWith("GET /v2/users?id=7\nhost=internal.test\n");
        assertThat(f.get("a.test", "/api").body()).startsWith("GET /v2\n");
        assertThat(f.get("a.test", "/strip/x/y").body()).startsWith("GET /x/y\n");
        assertThat(f.get("a.test", "/strip").body()).startsWith("GET /\n");
    }

    @Test
    void urlRewriteReplacesFullPathAndKeepsQuery() {
        assertThat(f.get("a.test", "/full/any/thing?q=1").body()).startsWith("GET /health?q=1\nhost=a.test\n");
    }

    @Test
    void redirects() {
        var https = f.get("shop.test:8000", "/tohttps/p?q=1");
        assertThat(https.status()).isEqualTo(301);
        assertThat(https.headers().get("location")).isEqualTo("https://shop.test/tohttps/p?q=1");

        var elsewhere = f.get("shop.test", "/old/page");
        assertThat(elsewhere.status()).isEqualTo(302);
        assertThat(elsewhere.headers().get("location")).isEqualTo("http://new.test:8080/new/page");

        var moved = f.get("shop.test:8000", "/moved/a");
        assertThat(moved.status()).isEqualTo(308);
        assertThat(moved.headers().get("location")).isEqualTo("http://shop.test:8000/here");
    }

    @Test
    void directResponseAnswersWithoutABackendAndOnlyOuterLayersSeeIt() {
        var reply = f.get("a.test", "/direct");
        assertThat(reply.status()).isEqualTo(418);
        assertThat(reply.body()).isEqualTo("teapot\n");
        assertThat(reply.headers().get("x-wrapped")).isEqualTo("yes");
        assertThat(reply.headers().contains("x-after")).isFalse();
        assertThat(reply.backend()).isNull();
    }

    @Test
    void weightsThreeToOneSplitExactly() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) counts.merge(f.get("a.test", "/split").backend(), 1, Integer::sum);
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("a", 300, "b", 100));
    }
}
