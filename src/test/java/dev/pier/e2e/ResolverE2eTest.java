package dev.pier.e2e;

import static dev.pier.e2e.E2e.route;
import static dev.pier.e2e.E2e.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.e2e.E2e.Backend;
import dev.pier.e2e.E2e.Reply;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The namespace resolver: the request path names the Service, as in the Micro API gateway's tables. */
class ResolverE2eTest {
    static E2e e2e;
    static Backend down, hidden;

    @BeforeAll
    static void start() throws Exception {
        e2e = new E2e();
        List<Backend> b = e2e.backends("foo", "greeter", "v1-foo", "v2-foo", "my-app", "admin", "down", "hidden");
        down = b.get(6);
        hidden = b.get(7);
        String expose = "pier.dev/expose";
        e2e.apply(""
                + service("foo", b.get(0)).label(expose, "true")
                + service("greeter", b.get(1)).label(expose, "true")
                + service("v1-foo", b.get(2)).label(expose, "true")
                + service("v2-foo", b.get(3)).label(expose, "true")
                + service("my-app", b.get(4)).label(expose, "true")
                + service("admin", b.get(5))
                + service("down").notReadyEndpoint(down).label(expose, "true")
                + service("hidden", hidden).label("team", "a")
                + route("resolve", """
                        hostnames: [resolve.test]
                        rules:
                        - resolver: {}
                        """)
                + route("versioned", """
                        hostnames: [versioned.test]
                        rules:
                        - resolver: {versioned: true, port: http}
                        """)
                + route("mounted", """
                        hostnames: [mount.test]
                        rules:
                        - resolver: {pathPrefix: /apps}
                        - matches: [{path: {value: /apps/admin}}]
                          backendRefs: [{name: admin, port: 80}]
                        """));
    }

    @AfterAll
    static void stop() throws Exception {
        e2e.close();
    }

    /** "backend path-it-saw", or the status of Pier's own answer. */
    private static String resolve(String host, String uri) {
        Reply r = e2e.get(host, uri);
        return r.backend() == null ? String.valueOf(r.status()) : r.backend() + " " + r.json().getString("uri");
    }

    @Test
    void theFirstSegmentNamesTheService() {
        assertThat(resolve("resolve.test", "/foo")).isEqualTo("foo /foo");
        assertThat(resolve("resolve.test", "/foo/bar")).isEqualTo("foo /foo/bar");
        assertThat(resolve("resolve.test", "/foo/bar?x=1")).isEqualTo("foo /foo/bar?x=1");
        assertThat(resolve("resolve.test", "/greeter/john")).isEqualTo("greeter /greeter/john");
        assertThat(resolve("resolve.test", "/my.app/x")).as("dots read as dashes").isEqualTo("my-app /my.app/x");
        assertThat(resolve("resolve.test", "/v1-foo/bar")).as("not versioned: the name as written").isEqualTo("v1-foo /v1-foo/bar");
    }

    @Test
    void versionedNamesJoinTheVersionSegment() {
        assertThat(resolve("versioned.test", "/v1/foo/bar")).isEqualTo("v1-foo /v1/foo/bar");
        assertThat(resolve("versioned.test", "/v2/foo/bar/baz")).isEqualTo("v2-foo /v2/foo/bar/baz");
        assertThat(resolve("versioned.test", "/foo/bar")).as("no version segment: the plain name").isEqualTo("foo /foo/bar");
        assertThat(resolve("versioned.test", "/v3/foo")).isEqualTo("404");
    }

    @Test
    void theMountIsStrippedAndALongerRuleWins() {
        assertThat(resolve("mount.test", "/apps/foo/x")).isEqualTo("foo /foo/x");
        assertThat(resolve("mount.test", "/apps/greeter")).isEqualTo("greeter /greeter");
        assertThat(resolve("mount.test", "/apps/admin/users")).as("the explicit /apps/admin rule").isEqualTo("admin /apps/admin/users");
        assertThat(resolve("mount.test", "/foo/x")).as("outside the mount").isEqualTo("404");
        assertThat(resolve("mount.test", "/appsfoo/x")).isEqualTo("404");
    }

    @Test
    void unknownUnselectedAndUnreadyServices() {
        Reply unknown = e2e.get("resolve.test", "/nosuch/x");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).as("Pier's own answer").contains("no service for this path");
        assertThat(resolve("resolve.test", "/hidden/x")).as("no pier.dev/expose label").isEqualTo("404");
        assertThat(resolve("resolve.test", "/admin")).isEqualTo("404");
        assertThat(resolve("resolve.test", "/")).isEqualTo("404");
        assertThat(resolve("resolve.test", "/down/x")).as("selected, no ready endpoint").isEqualTo("503");
        assertThat(down.hits.get()).isZero();
        assertThat(hidden.hits.get()).isZero();
    }
}
