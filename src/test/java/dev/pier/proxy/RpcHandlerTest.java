package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.Filter;
import dev.pier.model.Header;
import dev.pier.model.PathMatch;
import dev.pier.model.ResolverHandler;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.Timeouts;
import dev.pier.testing.GrpcGreeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rpc handler and the /rpc endpoint against real grpc-java servers with server reflection on
 * loopback: every path form of Micro's table, JSON in both directions (a well-known type
 * included), gRPC statuses as HTTP, streaming refused, reflection missing or only v1alpha, unknown
 * services and methods, bad requests that never reach a backend, deadlines.
 */
class RpcHandlerTest {
    static Fixture f;
    static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    static final Map<String, GrpcGreeter> servers = new HashMap<>();
    static int closedPort;

    @BeforeAll
    static void start() throws IOException {
        f = new Fixture(meters, Fixture.options(Duration.ofSeconds(5)));
        for (String name : List.of("greeter", "foo", "foo-bar", "v1-foo", "app-greeter")) {
            servers.put(name, GrpcGreeter.start(name, "127.0.0.1", GrpcGreeter.Reflection.V1));
        }
        servers.put("alpha", GrpcGreeter.start("alpha", "127.0.0.1", GrpcGreeter.Reflection.V1ALPHA));
        servers.put("blind", GrpcGreeter.start("blind", "127.0.0.1", GrpcGreeter.Reflection.NONE));
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed
        }
        servers.forEach((name, server) -> f.endpoints(name, Endpoint.of("127.0.0.1", server.port())));
        f.endpoints("down", Endpoint.of("127.0.0.1", closedPort));
        f.endpoints("plain", f.backend("plain"));

        Map<String, ServiceKey> services = new HashMap<>();
        Map<String, BackendProtocol> protocols = new HashMap<>();
        for (String name : List.of("greeter", "foo", "foo-bar", "v1-foo", "alpha", "blind", "down", "empty")) {
            services.put(name, svc(name));
            protocols.put(name, BackendProtocol.H2C);
        }
        services.put("plain", svc("plain"));
        Map<String, ServiceKey> prefixed = Map.of("app-greeter", svc("app-greeter"));
        f.plane.apply(table(
                host("rpc.test", rpc("rpc", "/", "", false, services, protocols, ResolverHandler.RPC, true, List.of(),
                        Timeouts.NONE)),
                host("versioned.test", rpc("versioned", "/", "", true, services, protocols, ResolverHandler.RPC, false,
                        List.of(), Timeouts.NONE)),
                host("mounted.test", rpc("mounted", "/api", "app-", false, prefixed, Map.of("app-greeter", BackendProtocol.H2C),
                        ResolverHandler.RPC, false, List.of(), new Timeouts(Duration.ofMillis(700), null))),
                host("http.test", rpc("http", "/", "", false, services, protocols, ResolverHandler.FORWARD, true,
                        List.of(new Filter.RequestHeaderModifier(new Filter.HeaderModifier(
                                List.of(new Header("x-added", "by-filter")), List.of(), List.of()))), Timeouts.NONE)),
                host("forward.test", rpc("forward", "/", "", false, services, protocols, ResolverHandler.FORWARD, false,
                        List.of(), Timeouts.NONE))));
    }

    static Route rpc(String id, String mount, String servicePrefix, boolean versioned, Map<String, ServiceKey> services,
                     Map<String, BackendProtocol> protocols, ResolverHandler handler, boolean rpcEndpoint, List<Filter> filters,
                     Timeouts timeouts) {
        return new Route(id, Fixture.SOURCE, RouteMatch.path(PathMatch.prefix(mount)),
                new RouteAction.Resolve("test", mount, servicePrefix, versioned, services, BalancerPolicy.ROUND_ROBIN, null,
                        protocols, handler, rpcEndpoint),
                filters, timeouts, RetryPolicy.NONE);
    }

    @AfterAll
    static void stop() {
        servers.values().forEach(GrpcGreeter::close);
        f.close();
    }

    static Fixture.Reply post(String host, String uri, String body) {
        return post(host, uri, "application/json", body);
    }

    static Fixture.Reply post(String host, String uri, String contentType, String body) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (contentType != null) headers.set("content-type", contentType);
        return f.send(HttpMethod.POST, host, uri, headers, body);
    }

    @ParameterizedTest(name = "{0}{1} -> Service {2}, {3}")
    @CsvSource({
            "rpc.test, /greeter/say-hello, greeter, SayHello",
            "rpc.test, /greeter/sayHello, greeter, SayHello",
            "rpc.test, /foo/bar, foo, Bar",
            "rpc.test, /foo, foo, Call",
            "rpc.test, /foo/bar/baz, foo, Baz",
            "rpc.test, /foo/bar/baz/cat, foo-bar, Cat",
            "rpc.test, /foo/bar/, foo, Bar",
            "versioned.test, /v1/foo/bar, v1-foo, Bar",
            "versioned.test, /foo/bar, foo, Bar",
            "versioned.test, /v1/foo/bar/baz, v1-foo, Baz",
            "mounted.test, /api/greeter/say-hello, app-greeter, SayHello"})
    void everyPathFormOfMicrosTableCallsTheNamedServiceAndMethod(String hostName, String uri, String server, String method) {
        Fixture.Reply reply = post(hostName, uri, "{\"name\": \"ada\", \"times\": 3}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.headers().get("content-type")).isEqualTo("application/json");
        JsonObject json = reply.json();
        assertThat(json.getString("server")).isEqualTo(server);
        assertThat(json.getString("message")).isEqualTo(method + " ada");
        assertThat(json.getString("count")).isEqualTo("3"); // int64 is a string in proto3 JSON
    }

    @Test
    void callsAreCountedForTheServiceTheyCalledAndUnknownServicesForNone() {
        double called = requests("versioned", "v1-foo:", "200");
        double unserved = requests("versioned", RouteMeters.NO_SERVICE, "404");
        double upstreamTimes = upstreamTimes("versioned", "v1-foo:");
        assertThat(post("versioned.test", "/v1/foo/bar", "{}").status()).isEqualTo(200);
        assertThat(post("versioned.test", "/v9/nothing/here", "{}").status()).isEqualTo(404);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (requests("versioned", "v1-foo:", "200") < called + 1 || requests("versioned", RouteMeters.NO_SERVICE, "404") < unserved + 1) {
            assertThat(System.nanoTime()).as("the exchanges are counted when they end").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(upstreamTimes("versioned", "v1-foo:")).as("the gRPC call's time is the upstream's").isGreaterThan(upstreamTimes);
    }

    /** pier_requests_total of a route by status code, over the Services whose label starts with {@code service}. */
    private static double requests(String route, String service, String code) {
        return meters.find(RouteMeters.REQUESTS).tag("route", route).tag("code", code).counters().stream()
                .filter(c -> c.getId().getTag("service").startsWith(service)).mapToDouble(c -> c.count()).sum();
    }

    private static double upstreamTimes(String route, String service) {
        return meters.find(RouteMeters.UPSTREAM_DURATION).tag("route", route).timers().stream()
                .filter(t -> t.getId().getTag("service").startsWith(service)).mapToDouble(t -> t.count()).sum();
    }

    @Test
    void jsonMapsBothWaysWithWellKnownTypesAndDefaults() {
        Fixture.Reply reply = post("rpc.test", "/greeter/say-hello",
                "{\"name\": \"ü\", \"tags\": [\"a\", \"b\"], \"at\": \"2024-05-06T07:08:09.500Z\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonObject json = reply.json();
        assertThat(json.getString("message")).isEqualTo("SayHello ü");
        assertThat(json.getJsonArray("tags").getList()).containsExactly("a", "b");
        assertThat(json.getString("at")).isEqualTo("2024-05-06T07:08:09.500Z");
        assertThat(json.getString("count")).isEqualTo("0"); // fields without presence are printed, as grpc-gateway does
        Fixture.Reply empty = post("rpc.test", "/greeter/say-hello", "");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().getString("message")).isEqualTo("SayHello ");
    }

    @ParameterizedTest(name = "{0} -> HTTP {1}")
    @CsvSource({
            "INVALID_ARGUMENT, 400", "FAILED_PRECONDITION, 400", "OUT_OF_RANGE, 400", "UNAUTHENTICATED, 401",
            "PERMISSION_DENIED, 403", "NOT_FOUND, 404", "ALREADY_EXISTS, 409", "ABORTED, 409", "RESOURCE_EXHAUSTED, 429",
            "CANCELLED, 499", "UNKNOWN, 500", "INTERNAL, 500", "DATA_LOSS, 500", "UNIMPLEMENTED, 501", "UNAVAILABLE, 503",
            "DEADLINE_EXCEEDED, 504"})
    void grpcStatusesMapToHttpAsGrpcGatewayMapsThem(String code, int http) {
        Fixture.Reply reply = post("rpc.test", "/greeter/fail", "{\"code\": \"" + code + "\", \"message\": \"why, ü %\"}");
        assertThat(reply.status()).isEqualTo(http);
        JsonObject json = reply.json();
        assertThat(json.getInteger("code")).isEqualTo(io.grpc.Status.Code.valueOf(code).value());
        assertThat(json.getString("message")).isEqualTo("why, ü %");
        assertThat(json.getJsonArray("details")).isEmpty();
    }

    @Test
    void streamingMethodsAreRefusedNamingTheirShape() {
        Fixture.Reply server = post("rpc.test", "/greeter/lots-of-replies", "{}");
        assertThat(server.status()).isEqualTo(501);
        assertThat(server.json().getString("message")).contains("pier.test.greet.Greeter.LotsOfReplies")
                .contains("server streaming");
        Fixture.Reply bidi = post("rpc.test", "/greeter/chat", "{}");
        assertThat(bidi.status()).isEqualTo(501);
        assertThat(bidi.json().getString("message")).contains("bidirectional streaming");
    }

    @Test
    void unknownServicesAndMethodsAre404NamingWhatWasLookedUp() {
        Fixture.Reply method = post("rpc.test", "/greeter/say-goodbye", "{}");
        assertThat(method.status()).isEqualTo(404);
        assertThat(method.json().getString("service")).isEqualTo("greeter");
        assertThat(method.json().getString("method")).isEqualTo("Greeter.SayGoodbye");
        assertThat(method.json().getString("message")).contains("has no method SayGoodbye").contains("SayHello");
        Fixture.Reply grpcService = post("rpc.test", "/greeter/nothing/here", "{}");
        assertThat(grpcService.status()).isEqualTo(404);
        assertThat(grpcService.json().getString("message")).contains("no gRPC service Nothing");
        Fixture.Reply service = post("rpc.test", "/nobody/say-hello", "{}");
        assertThat(service.status()).isEqualTo(404);
        assertThat(service.json().getString("message")).contains("no Service \"nobody\"");
        Fixture.Reply unversioned = post("rpc.test", "/v1/foo/bar", "{}"); // without versioned: Service v1
        assertThat(unversioned.status()).isEqualTo(404);
        assertThat(unversioned.json().getString("service")).isEqualTo("v1");
        assertThat(post("rpc.test", "/greeter/say%20hello", "{}").status()).isEqualTo(404);
    }

    @Test
    void aServiceWithoutReflectionIs501AndOneWithV1alphaOnlyWorks() {
        Fixture.Reply blind = post("rpc.test", "/blind/greeter/say-hello", "{\"name\": \"x\"}");
        assertThat(blind.status()).isEqualTo(501);
        assertThat(blind.json().getString("message")).contains("no server reflection").contains("Greeter.SayHello");
        Fixture.Reply alpha = post("rpc.test", "/alpha/greeter/say-hello", "{\"name\": \"x\"}");
        assertThat(alpha.status()).as(alpha.body()).isEqualTo(200);
        assertThat(alpha.json().getString("server")).isEqualTo("alpha");
    }

    @Test
    void aServiceThatIsNotGrpcOrCannotBeReachedGetsAClearAnswer() {
        Fixture.Reply plain = post("rpc.test", "/plain/greeter/say-hello", "{}");
        assertThat(plain.status()).isEqualTo(501);
        assertThat(plain.json().getString("message")).contains("kubernetes.io/h2c");
        Fixture.Reply down = post("rpc.test", "/down/greeter/say-hello", "{}");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.json().getInteger("code")).isEqualTo(14);
        Fixture.Reply empty = post("rpc.test", "/empty/greeter/say-hello", "{}");
        assertThat(empty.status()).isEqualTo(503);
        assertThat(empty.json().getString("message")).contains("no endpoint");
    }

    @Test
    void badRequestsAreRefusedBeforeAnyCall() {
        Fixture.Reply get = f.send(HttpMethod.GET, "rpc.test", "/greeter/say-hello", MultiMap.caseInsensitiveMultiMap(), null);
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.headers().get("allow")).isEqualTo("POST");
        assertThat(get.headers().get("content-type")).isEqualTo("application/json");
        assertThat(post("rpc.test", "/greeter/say-hello", "text/plain", "{}").status()).isEqualTo(415);
        assertThat(post("rpc.test", "/greeter/say-hello", null, "{}").status()).isEqualTo(415);
        assertThat(post("rpc.test", "/greeter/say-hello", "application/json; charset=utf-8", "{\"name\":\"a\"}").status())
                .isEqualTo(200);
        Fixture.Reply notJson = post("rpc.test", "/greeter/say-hello", "{\"name\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().getInteger("code")).isEqualTo(3);
        Fixture.Reply unknownField = post("rpc.test", "/greeter/say-hello", "{\"nmae\": \"typo\"}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().getString("message")).contains("nmae");
        Fixture.Reply wrongType = post("rpc.test", "/greeter/say-hello", "{\"times\": \"many\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        Fixture.Reply tooLarge = post("rpc.test", "/greeter/say-hello",
                "{\"name\": \"" + "x".repeat(RpcHandler.MAX_REQUEST_BYTES) + "\"}");
        assertThat(tooLarge.status()).isEqualTo(413);
        // The handler still serves after all of that.
        assertThat(post("rpc.test", "/greeter/say-hello", "{\"name\":\"b\"}").status()).isEqualTo(200);
    }

    @Test
    void theRouteTimeoutBoundsTheCallAndTheBackendSeesTheDeadline() {
        long start = System.nanoTime();
        Fixture.Reply slow = post("mounted.test", "/api/greeter/sleep", "{\"millis\": 3000}");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(slow.status()).isEqualTo(504);
        assertThat(slow.json().getInteger("code")).isEqualTo(4);
        assertThat(tookMs).isLessThan(2500); // cut well before the backend's 3 s
        Fixture.Reply quick = post("mounted.test", "/api/greeter/sleep", "{\"millis\": 10}");
        assertThat(quick.status()).isEqualTo(200);
        assertThat(quick.json().getString("message")).isEqualTo("slept 10");
    }

    @Test
    void theRpcEndpointCallsOnlyExposedServices() {
        Fixture.Reply ok = post("rpc.test", "/rpc",
                "{\"service\": \"foo-bar\", \"endpoint\": \"Greeter.SayHello\", \"request\": {\"name\": \"x\"}}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().getString("server")).isEqualTo("foo-bar");
        assertThat(ok.json().getString("message")).isEqualTo("SayHello x");
        Fixture.Reply full = post("rpc.test", "/rpc",
                "{\"service\": \"greeter\", \"endpoint\": \"pier.test.other.Twin.Hi\", \"request\": {\"name\": \"t\"}}");
        assertThat(full.status()).as(full.body()).isEqualTo(200);
        assertThat(full.json().getString("message")).isEqualTo("Hi t");
        Fixture.Reply unexposed = post("rpc.test", "/rpc",
                "{\"service\": \"app-greeter\", \"endpoint\": \"Greeter.SayHello\", \"request\": {}}");
        assertThat(unexposed.status()).isEqualTo(404);
        assertThat(unexposed.json().getString("message")).contains("no Service \"app-greeter\" is exposed");
        assertThat(post("rpc.test", "/rpc", "{\"service\": \"greeter\"}").status()).isEqualTo(400);
        assertThat(post("rpc.test", "/rpc", "[1]").status()).isEqualTo(400);
        assertThat(post("rpc.test", "/rpc",
                "{\"service\": \"greeter\", \"endpoint\": \"Greeter.SayHello\", \"request\": 5}").status()).isEqualTo(400);
        // On a versioned rpc route without rpcEndpoint, /rpc is an ordinary path: Service rpc, Rpc.Call.
        assertThat(post("versioned.test", "/rpc", "{}").json().getString("service")).isEqualTo("rpc");
    }

    @Test
    void aSimpleNameInSeveralPackagesIsAmbiguousAndTheFullNameResolvesIt() {
        Fixture.Reply twin = post("rpc.test", "/greeter/twin/hi", "{}");
        assertThat(twin.status()).isEqualTo(501);
        assertThat(twin.json().getString("message")).contains("pier.test.greet.Twin").contains("pier.test.other.Twin");
        Fixture.Reply full = post("rpc.test", "/rpc",
                "{\"service\": \"greeter\", \"endpoint\": \"pier.test.greet.Twin.Hi\", \"request\": {\"name\": \"g\"}}");
        assertThat(full.status()).isEqualTo(200);
    }

    @Test
    void anHttpResolverWithTheEndpointStillForwardsOtherPathsAndTheCallCarriesHeaders() {
        Fixture.Reply forwarded = f.get("http.test", "/plain/x");
        assertThat(forwarded.status()).isEqualTo(200);
        assertThat(forwarded.backend()).isEqualTo("plain");
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("content-type", "application/json")
                .set("x-user", "ada").set("grpc-timeout", "1n").set("x-bad_name!", "dropped");
        Fixture.Reply rpc = f.send(HttpMethod.POST, "http.test", "/rpc", headers,
                "{\"service\": \"greeter\", \"endpoint\": \"Greeter.SayHello\", \"request\": {\"name\": \"h\"}}");
        assertThat(rpc.status()).as(rpc.body()).isEqualTo(200);
        io.grpc.Metadata seen = servers.get("greeter").lastMetadata();
        assertThat(seen.get(io.grpc.Metadata.Key.of("x-user", io.grpc.Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("ada");
        assertThat(seen.get(io.grpc.Metadata.Key.of("x-added", io.grpc.Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("by-filter");
        assertThat(seen.get(io.grpc.Metadata.Key.of("x-forwarded-for", io.grpc.Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("127.0.0.1");
        assertThat(seen.keys()).doesNotContain("x-bad_name!");
        // Without rpcEndpoint, /rpc is forwarded like any path (Service "rpc" does not exist here: 404).
        assertThat(post("forward.test", "/rpc", "{}").status()).isEqualTo(404);
        assertThat(post("forward.test", "/rpc", "{}").body()).doesNotContain("\"code\"");
    }

    @Test
    void http2ClientsAreServedAndAnOversizedBodyCostsOnlyItsStream() {
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port),
                new PoolOptions().setHttp2MaxSize(1)); // one connection for every request below
        try {
            assertThat(h2post(h2, "{\"name\": \"h2\"}").status()).isEqualTo(200);
            Fixture.Reply big = h2post(h2, "{\"name\": \"" + "x".repeat(RpcHandler.MAX_REQUEST_BYTES + 10) + "\"}");
            assertThat(big.status()).isEqualTo(413);
            assertThat(big.json().getString("message")).contains("exceeds");
            Fixture.Reply after = h2post(h2, "{\"name\": \"again\"}");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.json().getString("message")).isEqualTo("SayHello again");
        } finally {
            Fixture.await(h2.close());
        }
    }

    private static Fixture.Reply h2post(HttpClient h2, String body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/greeter/say-hello")
                .putHeader("content-type", "application/json");
        return Fixture.await(f.onLoop(() -> h2.request(options)
                .compose(req -> req.authority(io.vertx.core.net.HostAndPort.create("rpc.test", -1)).send(body))
                .compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString())))));
    }

    @Test
    void descriptorsAreCachedPerEndpointAndDroppedWhenTheEndpointLeaves() {
        assertThat(post("rpc.test", "/foo/bar", "{}").status()).isEqualTo(200);
        assertThat(f.plane.reflection().services()).contains(svc("foo"));
        GrpcGreeter foo = servers.get("foo");
        f.endpoints("foo", f.backend("elsewhere")); // the endpoint left; another is there
        assertThat(f.plane.reflection().services()).doesNotContain(svc("foo"));
        f.endpoints("foo", Endpoint.of("127.0.0.1", foo.port()));
        Fixture.Reply again = post("rpc.test", "/foo/bar", "{}");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
    }
}
