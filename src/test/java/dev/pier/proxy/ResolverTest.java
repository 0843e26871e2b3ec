package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The namespace resolver: path to Service name, mount stripping, 404 and 503. */
class ResolverTest {
    static Fixture f;

    @ParameterizedTest(name = "{0} versioned={1} -> {2}")
    @CsvSource(nullValues = "none", value = {
            "/foo, false, foo",
            "/foo/bar, false, foo",
            "/greeter/john, false, greeter",
            "/my.app/x, false, my-app",
            "/v1/foo/bar, true, v1-foo",
            "/v2/foo/bar/baz, true, v2-foo",
            "/v1/foo/bar, false, v1",
            "/vx/foo, true, vx",
            "/, false, none",
            "/, true, none",
            "//x, false, none"})
    void namesTheServiceFromThePath(String path, boolean versioned, String expected) {
        assertThat(ResolverNaming.serviceName(path, versioned)).isEqualTo(expected);
    }

    @Test
    void stripsOnlyAMountLongerThanRoot() {
        assertThat(ResolverNaming.upstreamPath("/foo/bar", "/")).isEqualTo("/foo/bar");
        assertThat(ResolverNaming.upstreamPath("/api/foo/bar", "/api")).isEqualTo("/foo/bar");
        assertThat(ResolverNaming.upstreamPath("/api", "/api")).isEqualTo("/");
        assertThat(ResolverNaming.upstreamPath("/apix/foo", "/api")).isEqualTo("/apix/foo");
    }

    static Route resolve(String id, String mount, boolean versioned, Map<String, dev.pier.model.ServiceKey> services) {
        return new Route(id, Fixture.SOURCE, RouteMatch.path(PathMatch.prefix(mount)),
                new RouteAction.Resolve("apps", mount, "svc-", versioned, services, BalancerPolicy.ROUND_ROBIN),
                List.of(), Timeouts.NONE, RetryPolicy.NONE);
    }

    @BeforeAll
    static void start() {
        f = new Fixture();
        for (String name : List.of("svc-foo", "svc-greeter", "svc-v1-foo", "svc-v2-foo")) f.endpoints(name, f.backend(name));
        Map<String, dev.pier.model.ServiceKey> services = Map.of(
                "svc-foo", svc("svc-foo"), "svc-greeter", svc("svc-greeter"),
                "svc-v1-foo", svc("svc-v1-foo"), "svc-v2-foo", svc("svc-v2-foo"),
                "svc-empty", svc("svc-empty"));
        f.plane.apply(table(
                host("plain.test", resolve("plain", "/", false, services)),
                host("versioned.test", resolve("versioned", "/", true, services)),
                host("mounted.test", resolve("mounted", "/api", false, services))));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @ParameterizedTest(name = "{0}{1} -> {2} sees {3}")
    @CsvSource({
            "plain.test, /foo, svc-foo, /foo",
            "plain.test, /foo/bar, svc-foo, /foo/bar",
            "plain.test, /greeter/john?x=1, svc-greeter, /greeter/john?x=1",
            "versioned.test, /v1/foo/bar, svc-v1-foo, /v1/foo/bar",
            "versioned.test, /v2/foo/bar/baz, svc-v2-foo, /v2/foo/bar/baz",
            "mounted.test, /api/foo/bar, svc-foo, /foo/bar",
            "mounted.test, /api/greeter, svc-greeter, /greeter"})
    void forwardsToTheNamedService(String hostName, String uri, String backend, String upstreamUri) {
        var reply = f.get(hostName, uri);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.backend()).isEqualTo(backend);
        assertThat(reply.json().getString("uri")).isEqualTo(upstreamUri);
    }

    @Test
    void unknownNameAndBarePathAre404() {
        assertThat(f.get("plain.test", "/nope/x").status()).isEqualTo(404);
        assertThat(f.get("plain.test", "/").status()).isEqualTo(404);
        assertThat(f.get("mounted.test", "/api").status()).isEqualTo(404);
        assertThat(f.get("versioned.test", "/v3/foo").status()).isEqualTo(404);
    }

    @Test
    void knownServiceWithoutEndpointsIs503() {
        assertThat(f.get("plain.test", "/empty/x").status()).isEqualTo(503);
    }
}
