package dev.pier.proxy;

import static dev.pier.proxy.FilterTest.forward;
import static dev.pier.proxy.FilterTest.mod;
import static dev.pier.proxy.FilterTest.withFilters;
import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.Endpoint;
import dev.pier.model.Filter;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code Server} header: Pier's on every response that has none (relayed or its own answer),
 * a backend's own passed unchanged, another value or none when configured so.
 */
class ServerHeaderTest {

    private static Fixture pier(String serverHeader) {
        ProxyOptions options = new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), 2,
                serverHeader);
        Fixture f = new Fixture(new SimpleMeterRegistry(), options);
        f.endpoints("svc", f.backend("plain"));
        f.endpoints("own", f.backend("own", req -> req.response().putHeader("Server", "backend/1.0").end("mine")));
        f.endpoints("dead", Endpoint.of("127.0.0.1", closedPort()));
        f.plane.apply(table(host("a.test",
                route("svc", PathMatch.prefix("/svc"), "svc"),
                route("own", PathMatch.prefix("/own"), "own"),
                route("dead", PathMatch.prefix("/dead"), "dead"),
                route("empty", PathMatch.prefix("/empty"), "nobody"),
                new Route("slow", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/slow")), forward("svc"), List.of(),
                        new Timeouts(Duration.ofMillis(200), null), RetryPolicy.NONE),
                withFilters("redirect", PathMatch.prefix("/redirect"), new RouteAction.NoBackend(),
                        new Filter.RequestRedirect("https", null, null, null, 301)),
                withFilters("direct", PathMatch.prefix("/direct"), new RouteAction.NoBackend(),
                        new Filter.DirectResponse(418, "teapot\n")),
                withFilters("hidden", PathMatch.prefix("/hidden"), forward("svc"),
                        new Filter.ResponseHeaderModifier(mod(List.of(), List.of(), List.of("server")))))));
        return f;
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> serverOf(Fixture f, String host, String uri, int status) {
        Fixture.Reply reply = f.get(host, uri);
        assertThat(reply.status()).as("status of %s", uri).isEqualTo(status);
        return reply.headers().getAll("server");
    }

    @Test
    void pierNamesItselfOnRelayedResponsesWithoutOneAndOnItsOwnAnswers() {
        try (Fixture f = pier(ProxyOptions.DEFAULT_SERVER_HEADER)) {
            assertThat(serverOf(f, "a.test", "/svc", 200)).containsExactly("pier");
            assertThat(serverOf(f, "other.test", "/", 404)).containsExactly("pier");
            assertThat(serverOf(f, "a.test", "/dead", 502)).containsExactly("pier");
            assertThat(serverOf(f, "a.test", "/empty", 503)).containsExactly("pier");
            assertThat(serverOf(f, "a.test", "/slow?delay=3000", 504)).containsExactly("pier");
            assertThat(serverOf(f, "a.test", "/redirect", 301)).containsExactly("pier");
            assertThat(serverOf(f, "a.test", "/direct", 418)).containsExactly("pier");
        }
    }

    @Test
    void aBackendsOwnServerHeaderPassesUnchanged() {
        try (Fixture f = pier(ProxyOptions.DEFAULT_SERVER_HEADER)) {
            assertThat(serverOf(f, "a.test", "/own", 200)).containsExactly("backend/1.0");
        }
    }

    @Test
    void anotherValueReplacesPiersName() {
        try (Fixture f = pier("edge/2")) {
            assertThat(serverOf(f, "a.test", "/svc", 200)).containsExactly("edge/2");
            assertThat(serverOf(f, "other.test", "/", 404)).containsExactly("edge/2");
            assertThat(serverOf(f, "a.test", "/own", 200)).containsExactly("backend/1.0");
        }
    }

    @Test
    void anEmptyValueTurnsItOff() {
        try (Fixture f = pier("")) {
            assertThat(serverOf(f, "a.test", "/svc", 200)).isEmpty();
            assertThat(serverOf(f, "other.test", "/", 404)).isEmpty();
            assertThat(serverOf(f, "a.test", "/direct", 418)).isEmpty();
            assertThat(serverOf(f, "a.test", "/own", 200)).containsExactly("backend/1.0");
        }
    }

    @Test
    void aResponseHeaderFilterSeesItAndMayRemoveIt() {
        try (Fixture f = pier(ProxyOptions.DEFAULT_SERVER_HEADER)) {
            assertThat(serverOf(f, "a.test", "/hidden", 200)).isEmpty();
        }
    }

    @Test
    void theWebsocketHandshakeAnswerCarriesItToo() {
        try (Fixture f = pier(ProxyOptions.DEFAULT_SERVER_HEADER)) {
            var client = f.vertx.createWebSocketClient();
            WebSocket ws = await(f.onLoop(() -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(f.port).setURI("/svc").addHeader("Host", "a.test"))));
            assertThat(ws.headers().getAll("server")).containsExactly("pier");
            await(ws.close());
            await(client.close());
        }
    }

    @Test
    void aValueThatCouldSplitAHeaderIsRefused() {
        ProxyOptions options = ProxyOptions.defaults(0);
        assertThatThrownBy(() -> options.withServerHeader("pier\r\nSet-Cookie: x=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverHeader");
        assertThat(ProxyOptions.serverHeaderProblem("pier/1.0 (linux)")).isNull();
        assertThat(ProxyOptions.serverHeaderProblem(" pier")).isNotNull();
        assertThat(ProxyOptions.serverHeaderProblem("pïer")).isNotNull();
    }
}
