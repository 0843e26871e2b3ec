package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.MalformedRequests;
import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request framing (RFC 9112): every malformed request of the hardening table is answered with
 * its 4xx, the connection is closed, and no byte of it reaches a backend (issue 9, "Smuggling"
 * and "Lax headers").
 */
class FramingTest {
    static Fixture f;
    static final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        f = new Fixture();
        f.endpoints("public", f.backend("public", req -> {
            seen.add(req.method() + " " + req.uri());
            req.response().end("public\n");
        }));
        f.endpoints("admin", f.backend("admin", req -> {
            seen.add("admin: " + req.method() + " " + req.uri());
            req.response().end("admin\n");
        }));
        f.plane.apply(table(host("*", route("admin", PathMatch.prefix("/admin"), "admin"),
                route("smuggled", PathMatch.prefix("/smuggled"), "admin"),
                route("public", PathMatch.prefix("/"), "public"))));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void clear() {
        seen.clear();
    }

    static Stream<MalformedRequests.Case> cases() {
        return MalformedRequests.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedClosedAndNeverForwarded(MalformedRequests.Case c) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(f.port, c.bytes(), 3000);
        assertThat(answer.status()).as(c.what() + ": " + answer.text()).isEqualTo(c.expected());
        assertThat(answer.closed()).as(c.what() + ": connection closed").isTrue();
        if (c.expected() != 0) assertThat(answer.text()).as(c.what()).containsIgnoringCase("connection: close");
        Thread.sleep(100); // a request forwarded by mistake would arrive by now
        assertThat(seen).as(c.what() + ": reached a backend").isEmpty();
    }
}
