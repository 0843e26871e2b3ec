package dev.pier.e2e;

import static dev.pier.e2e.E2e.headers;
import static dev.pier.e2e.E2e.route;
import static dev.pier.e2e.E2e.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.e2e.E2e.Backend;
import dev.pier.e2e.E2e.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every GatewayRoute filter, from one file, through the proxy port to a real backend. */
class FiltersE2eTest {
    static E2e e2e;
    static Backend app;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        app = e2e.backend("app");
        e2e.apply(service("app", app) + route("filters", """
                hostnames: [filters.test]
                rules:
                - matches: [{path: {value: /hdr}}]
                  backendRefs: [{name: app, port: 80}]
                  filters:
                  - type: RequestHeaderModifier
                    requestHeaderModifier:
                      set: [{name: x-set, value: new}]
                      add: [{name: x-add, value: two}]
                      remove: [x-gone]
                  - type: ResponseHeaderModifier
                    responseHeaderModifier:
                      set: [{name: x-from-backend, value: changed}]
                      add: [{name: x-resp-add, value: added}]
                      remove: [x-drop]
                - matches: [{path: {value: /rw}}]
                  backendRefs: [{name: app, port: 80}]
                  filters:
                  - type: URLRewrite
                    urlRewrite:
                      hostname: rewritten.test
                      path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}
                - matches: [{path: {value: /strip}}]
                  backendRefs: [{name: app, port: 80}]
                  filters:
                  - type: URLRewrite
                    urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
                - matches: [{path: {value: /fullpath}}]
                  backendRefs: [{name: app, port: 80}]
                  filters:
                  - type: URLRewrite
                    urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /health}}
                - matches: [{path: {value: /redirect-all}}]
                  filters:
                  - type: RequestRedirect
                    requestRedirect:
                      scheme: https
                      hostname: secure.test
                      port: 8443
                      path: {type: ReplaceFullPath, replaceFullPath: /new}
                      statusCode: 301
                - matches: [{path: {value: /tohttps}}]
                  filters:
                  - type: RequestRedirect
                    requestRedirect: {scheme: https}
                - matches: [{path: {value: /https443}}]
                  filters:
                  - type: RequestRedirect
                    requestRedirect: {scheme: https, port: 443, statusCode: 307}
                - matches: [{path: {value: /old}}]
                  filters:
                  - type: RequestRedirect
                    requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 308}
                - matches: [{path: {type: Exact, value: /teapot}}]
                  filters:
                  - type: DirectResponse
                    directResponse: {status: 418, body: "short and stout"}
                - matches: [{path: {value: /wrapped}}]
                  filters:
                  - type: ResponseHeaderModifier
                    responseHeaderModifier: {set: [{name: x-wrapped, value: "yes"}]}
                  - type: RequestRedirect
                    requestRedirect: {hostname: elsewhere.test}
                - matches: [{path: {value: /after}}]
                  filters:
                  - type: DirectResponse
                    directResponse: {status: 200, body: early}
                  - type: ResponseHeaderModifier
                    responseHeaderModifier: {set: [{name: x-after, value: never}]}
                - matches: [{path: {value: /onion}}]
                  backendRefs: [{name: app, port: 80}]
                  filters:
                  - type: ResponseHeaderModifier
                    responseHeaderModifier: {set: [{name: x-from-backend, value: outer}]}
                  - type: RequestHeaderModifier
                    requestHeaderModifier: {set: [{name: x-host-seen, value: before-rewrite}]}
                  - type: URLRewrite
                    urlRewrite: {hostname: inner.test, path: {type: ReplacePrefixMatch, replacePrefixMatch: /inner}}
                """));
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
    }

    @BeforeEach
    void reset() {
        app.reset();
    }

    @Test
    void requestHeaderModifierSetsAddsAndRemoves() {
        Reply r = e2e.get("filters.test", "/hdr", headers("X-SET", "old", "x-add", "one", "X-Gone", "bye", "x-keep", "k"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.upstream("x-set")).containsExactly("new");
        assertThat(r.upstream("x-add")).containsExactly("one", "two");
        assertThat(r.upstream("x-gone")).isEmpty();
        assertThat(r.upstream("x-keep")).containsExactly("k");
    }

    @Test
    void responseHeaderModifierSetsAddsAndRemoves() {
        Reply r = e2e.get("filters.test", "/hdr");
        assertThat(r.headers().getAll("x-from-backend")).containsExactly("changed");
        assertThat(r.headers().getAll("x-resp-add")).containsExactly("added");
        assertThat(r.headers().contains("x-drop")).isFalse();
        assertThat(r.backend()).isEqualTo("app");
    }

    @Test
    void urlRewriteHostnameAndReplacePrefixMatch() {
        Reply r = e2e.get("filters.test", "/rw/users?id=7");
        assertThat(r.json().getString("uri")).isEqualTo("/v2/users?id=7");
        assertThat(r.upstream("host")).containsExactly("rewritten.test");
        assertThat(r.upstream("x-forwarded-host")).as("the original host").containsExactly("filters.test");
        assertThat(e2e.get("filters.test", "/rw").json().getString("uri")).isEqualTo("/v2");
        assertThat(e2e.get("filters.test", "/rw/").json().getString("uri")).isEqualTo("/v2/");

        Reply strip = e2e.get("filters.test", "/strip/x/y?z=1");
        assertThat(strip.json().getString("uri")).isEqualTo("/x/y?z=1");
        assertThat(strip.upstream("host")).as("no hostname: Host unchanged").containsExactly("filters.test");
        assertThat(e2e.get("filters.test", "/strip").json().getString("uri")).isEqualTo("/");
    }

    @Test
    void urlRewriteReplaceFullPathKeepsTheQuery() {
        assertThat(e2e.get("filters.test", "/fullpath/any/thing?q=1").json().getString("uri")).isEqualTo("/health?q=1");
    }

    @Test
    void requestRedirectBuildsTheLocation() {
        Reply all = e2e.get("filters.test:8080", "/redirect-all/x?q=1");
        assertThat(all.status()).isEqualTo(301);
        assertThat(all.headers().get("location")).isEqualTo("https://secure.test:8443/new?q=1");

        Reply https = e2e.get("filters.test:8080", "/tohttps/p?q=1");
        assertThat(https.status()).as("default status").isEqualTo(302);
        assertThat(https.headers().get("location")).as("a new scheme takes its well-known port")
                .isEqualTo("https://filters.test/tohttps/p?q=1");

        Reply wellKnown = e2e.get("filters.test:8080", "/https443");
        assertThat(wellKnown.status()).isEqualTo(307);
        assertThat(wellKnown.headers().get("location")).isEqualTo("https://filters.test/https443");

        Reply prefix = e2e.get("filters.test:8080", "/old/x");
        assertThat(prefix.status()).isEqualTo(308);
        assertThat(prefix.headers().get("location")).as("scheme, host and port of the request")
                .isEqualTo("http://filters.test:8080/new/x");
        assertThat(app.hits.get()).as("redirects touch no backend").isZero();
    }

    @Test
    void directResponseAnswersWithoutABackend() {
        Reply r = e2e.get("filters.test", "/teapot");
        assertThat(r.status()).isEqualTo(418);
        assertThat(r.body()).isEqualTo("short and stout");
        assertThat(r.headers().get("content-type")).startsWith("text/plain");
        assertThat(app.hits.get()).isZero();
    }

    @Test
    void onionEarlierResponseSidesWrapAnAnswerLaterFiltersDoNotRun() {
        Reply wrapped = e2e.get("filters.test", "/wrapped");
        assertThat(wrapped.status()).isEqualTo(302);
        assertThat(wrapped.headers().get("location")).isEqualTo("http://elsewhere.test/wrapped");
        assertThat(wrapped.headers().get("x-wrapped")).as("a response side before the answer runs").isEqualTo("yes");

        Reply after = e2e.get("filters.test", "/after");
        assertThat(after.body()).isEqualTo("early");
        assertThat(after.headers().contains("x-after")).as("filters after an answer do not run").isFalse();

        // Request sides in order (header set, then the rewrite), the response side on the way out.
        Reply onion = e2e.get("filters.test", "/onion/x");
        assertThat(onion.json().getString("uri")).isEqualTo("/inner/x");
        assertThat(onion.upstream("host")).containsExactly("inner.test");
        assertThat(onion.upstream("x-host-seen")).containsExactly("before-rewrite");
        assertThat(onion.headers().getAll("x-from-backend")).containsExactly("outer");
        assertThat(app.hits.get()).isEqualTo(1);
    }
}
