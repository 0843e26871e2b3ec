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
import org.junit.jupiter.api.Test;

/** Matches, hostnames and precedence, from GatewayRoute (and Ingress) files to real backends. */
class MatchingE2eTest {
    static E2e e2e;
    static Backend a, b, c, d;
    static String services;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        List<Backend> all = e2e.backends("a", "b", "c", "d");
        a = all.get(0);
        b = all.get(1);
        c = all.get(2);
        d = all.get(3);
        services = "" + service("a", a) + service("b", b) + service("c", c) + service("d", d);
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
    }

    private static String backend(String host, String uri) {
        return e2e.get(host, uri).backend();
    }

    @Test
    void pathMatchTypesExactPrefixAndRegex() throws Exception {
        e2e.apply(services + route("paths", """
                hostnames: [match.test]
                rules:
                - matches: [{path: {type: Exact, value: /exact}}]
                  backendRefs: [{name: a, port: 80}]
                - matches: [{path: {type: PathPrefix, value: /cart}}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {type: RegularExpression, value: "/item/[0-9]+"}}]
                  backendRefs: [{name: c, port: 80}]
                """));

        Reply exact = e2e.get("match.test", "/exact?x=1");
        assertThat(exact.status()).isEqualTo(200);
        assertThat(exact.json().getString("backend")).isEqualTo("a");
        assertThat(exact.json().getString("uri")).as("path and query reach the backend as sent").isEqualTo("/exact?x=1");
        assertThat(e2e.get("match.test", "/exact/more").status()).as("Exact is the whole path").isEqualTo(404);
        assertThat(e2e.get("match.test", "/exactly").status()).isEqualTo(404);

        for (String path : List.of("/cart", "/cart/", "/cart/x", "/cart/x/y?z=1")) {
            Reply r = e2e.get("match.test", path);
            assertThat(r.backend()).as(path).isEqualTo("b");
            assertThat(r.json().getString("uri")).isEqualTo(path);
        }
        assertThat(e2e.get("match.test", "/cartx").status()).as("a prefix matches whole path elements").isEqualTo(404);
        assertThat(e2e.get("match.test", "/carts/x").status()).isEqualTo(404);

        assertThat(backend("match.test", "/item/42")).isEqualTo("c");
        assertThat(backend("match.test", "/item/42?q=a")).as("the query is not part of the path").isEqualTo("c");
        assertThat(e2e.get("match.test", "/item/42/x").status()).as("a regex matches the whole path").isEqualTo(404);
        assertThat(e2e.get("match.test", "/item/abc").status()).isEqualTo(404);
        Reply none = e2e.get("match.test", "/");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body()).contains("no route");
    }

    @Test
    void methodHeaderAndQueryMatches() throws Exception {
        e2e.apply(services + route("conditions", """
                hostnames: [cond.test]
                rules:
                - matches: [{path: {value: /m}, method: POST}]
                  backendRefs: [{name: a, port: 80}]
                - matches: [{path: {value: /m}}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {value: /h}, headers: [{name: x-env, value: prod}]}]
                  backendRefs: [{name: a, port: 80}]
                - matches: [{path: {value: /h}, headers: [{type: RegularExpression, name: x-user, value: "adm.*"}]}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {value: /h}}]
                  backendRefs: [{name: c, port: 80}]
                - matches: [{path: {value: /q}, queryParams: [{name: v, value: "2"}]}]
                  backendRefs: [{name: a, port: 80}]
                - matches: [{path: {value: /q}, queryParams: [{type: RegularExpression, name: tag, value: "a+"}]}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {value: /q}}]
                  backendRefs: [{name: c, port: 80}]
                """));

        Reply post = e2e.send(HttpMethod.POST, "cond.test", "/m", headers(), "payload");
        assertThat(post.backend()).isEqualTo("a");
        assertThat(post.json().getString("method")).isEqualTo("POST");
        assertThat(post.json().getString("body")).isEqualTo("payload");
        assertThat(backend("cond.test", "/m")).isEqualTo("b");
        assertThat(e2e.send(HttpMethod.PUT, "cond.test", "/m", headers(), "x").backend()).isEqualTo("b");

        assertThat(e2e.get("cond.test", "/h", headers("X-Env", "prod")).backend()).as("header names ignore case").isEqualTo("a");
        assertThat(e2e.get("cond.test", "/h", headers("x-env", "PROD")).backend()).as("values are exact").isEqualTo("c");
        assertThat(e2e.get("cond.test", "/h", headers("x-env", "prod2")).backend()).isEqualTo("c");
        assertThat(e2e.get("cond.test", "/h", headers("x-user", "admin")).backend()).isEqualTo("b");
        assertThat(e2e.get("cond.test", "/h", headers("x-user", "xadmin")).backend()).as("regex is a full match").isEqualTo("c");
        Reply plain = e2e.get("cond.test", "/h", headers("x-user", "admin", "x-other", "1"));
        assertThat(plain.upstream("x-user")).containsExactly("admin");
        assertThat(plain.upstream("x-other")).containsExactly("1");

        assertThat(backend("cond.test", "/q?v=2")).isEqualTo("a");
        assertThat(backend("cond.test", "/q?x=1&v=2")).isEqualTo("a");
        assertThat(backend("cond.test", "/q?v=%32")).as("values are compared percent-decoded").isEqualTo("a");
        assertThat(backend("cond.test", "/q?v=3")).isEqualTo("c");
        assertThat(backend("cond.test", "/q?V=2")).as("parameter names are case-sensitive").isEqualTo("c");
        assertThat(backend("cond.test", "/q?tag=aaa")).isEqualTo("b");
        assertThat(backend("cond.test", "/q?tag=ab")).isEqualTo("c");
        assertThat(e2e.get("cond.test", "/q?v=2").json().getString("query")).isEqualTo("v=2");
    }

    @Test
    void hostnamesExactWildcardAndNone() throws Exception {
        e2e.apply(services
                + route("exact", """
                        hostnames: [exact.test]
                        rules:
                        - matches: [{path: {value: /only}}]
                          backendRefs: [{name: a, port: 80}]
                        """)
                + route("wild", """
                        hostnames: ["*.wild.test"]
                        rules:
                        - backendRefs: [{name: b, port: 80}]
                        """)
                + route("anyhost", """
                        rules:
                        - backendRefs: [{name: c, port: 80}]
                        """));

        Reply exact = e2e.get("EXACT.test:1234", "/only");
        assertThat(exact.backend()).as("host compared lower-cased without its port").isEqualTo("a");
        assertThat(exact.upstream("host")).as("Host passed through unchanged").containsExactly("EXACT.test:1234");
        assertThat(exact.upstream("x-forwarded-host")).containsExactly("EXACT.test:1234");
        assertThat(e2e.get("exact.test", "/elsewhere").status())
                .as("the chosen host's routes are final: no fall-through to routes without hostnames").isEqualTo(404);
        assertThat(backend("x.wild.test", "/")).isEqualTo("b");
        assertThat(backend("y.wild.test:80", "/p")).isEqualTo("b");
        assertThat(backend("a.b.wild.test", "/")).as("a wildcard is exactly one label").isEqualTo("c");
        assertThat(backend("wild.test", "/")).isEqualTo("c");
        assertThat(backend("other.test", "/")).isEqualTo("c");
    }

    @Test
    void precedenceExactThenRegexThenLongestPrefix() throws Exception {
        e2e.apply(services + route("precedence", """
                hostnames: [prec.test]
                rules:
                - matches: [{path: {type: PathPrefix, value: /p}}]
                  backendRefs: [{name: c, port: 80}]
                - matches: [{path: {type: PathPrefix, value: /p/deep}}]
                  backendRefs: [{name: d, port: 80}]
                - matches: [{path: {type: RegularExpression, value: "/p/.*x"}}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {type: Exact, value: /p/deep/x}}]
                  backendRefs: [{name: a, port: 80}]
                """));

        assertThat(backend("prec.test", "/p/deep/x")).as("Exact over regex and prefixes").isEqualTo("a");
        assertThat(backend("prec.test", "/p/deep/yx")).as("regex over the longest prefix").isEqualTo("b");
        assertThat(backend("prec.test", "/p/deep/y")).as("longest prefix").isEqualTo("d");
        assertThat(backend("prec.test", "/p/deep")).isEqualTo("d");
        assertThat(backend("prec.test", "/p/other")).isEqualTo("c");
        assertThat(backend("prec.test", "/p")).isEqualTo("c");
    }

    @Test
    void precedenceCountsMethodThenHeadersThenQueryParams() throws Exception {
        // Listed in the opposite order of precedence: file order must not decide.
        e2e.apply(services + route("conditions-precedence", """
                hostnames: [count.test]
                rules:
                - matches: [{path: {value: /m}}]
                  backendRefs: [{name: d, port: 80}]
                - matches: [{path: {value: /m}, queryParams: [{name: q, value: "1"}]}]
                  backendRefs: [{name: a, port: 80}]
                - matches: [{path: {value: /m}, headers: [{name: x-a, value: "1"}]}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {value: /m}, headers: [{name: x-a, value: "1"}, {name: x-b, value: "2"}]}]
                  backendRefs: [{name: c, port: 80}]
                - matches: [{path: {value: /m}, method: DELETE}]
                  backendRefs: [{name: a, port: 80}]
                """));

        assertThat(e2e.send(HttpMethod.DELETE, "count.test", "/m?q=1", headers("x-a", "1", "x-b", "2"), null).json()
                .getString("method")).as("a method beats headers and query").isEqualTo("DELETE");
        assertThat(e2e.send(HttpMethod.DELETE, "count.test", "/m", headers("x-a", "1", "x-b", "2"), null).backend())
                .isEqualTo("a");
        assertThat(e2e.get("count.test", "/m?q=1", headers("x-a", "1", "x-b", "2")).backend())
                .as("two headers beat one header and a query parameter").isEqualTo("c");
        assertThat(e2e.get("count.test", "/m?q=1", headers("x-a", "1")).backend())
                .as("a header beats a query parameter").isEqualTo("b");
        assertThat(backend("count.test", "/m?q=1")).isEqualTo("a");
        assertThat(backend("count.test", "/m")).isEqualTo("d");
    }

    @Test
    void ingressPathsAndGatewayRouteRulesOnOneHostMerge() throws Exception {
        e2e.apply(services + route("shop-gr", """
                hostnames: [shop.test]
                rules:
                - matches: [{path: {type: PathPrefix, value: /shop/cart}}]
                  backendRefs: [{name: b, port: 80}]
                - matches: [{path: {type: RegularExpression, value: "/shop/cart/[0-9]+"}}]
                  backendRefs: [{name: c, port: 80}]
                """) + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop-ingress, namespace: e2e}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: shop.test
                    http:
                      paths:
                      - {path: /shop, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
                      - {path: /shop/cart/7, pathType: Exact, backend: {service: {name: d, port: {name: http}}}}
                """);

        assertThat(backend("shop.test", "/shop/x")).as("the Ingress prefix").isEqualTo("a");
        assertThat(backend("shop.test", "/shop/cart/x")).as("the GatewayRoute's longer prefix").isEqualTo("b");
        assertThat(backend("shop.test", "/shop/cart/8")).as("the GatewayRoute's regex over prefixes").isEqualTo("c");
        assertThat(backend("shop.test", "/shop/cart/7")).as("the Ingress Exact path over the regex").isEqualTo("d");
        assertThat(e2e.get("shop.test", "/other").status()).isEqualTo(404);
    }
}
