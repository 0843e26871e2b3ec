package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static dev.pier.proxy.Fixture.to;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.edge.RawHttp;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.StringMatch;
import dev.pier.model.Timeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route's regular expression is the user's and the path, headers and query are the client's:
 * matching runs on an event loop, so it must take time linear in the input whatever the pattern.
 * {@code (.*a){20}} makes a backtracking matcher try about n^20 ways on n characters that end
 * without the match; RE2 tries each character once. One event loop, so a stall would stop the
 * next request too.
 */
class RegexMatchingTest {
    private static final String PATHOLOGICAL_PATH = "/(.*a){20}";
    private static final String PATHOLOGICAL_VALUE = "(.*x){20}";
    private static final String HOST = "regex.example.com";
    static Fixture f;

    @BeforeAll
    static void start() {
        f = new Fixture(new SimpleMeterRegistry(), new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2),
                Duration.ofSeconds(30), 1, ProxyOptions.DEFAULT_SERVER_HEADER));
        for (String name : List.of("regex", "header", "query", "root")) f.endpoints(name, f.backend(name));
        f.plane.apply(table(host(HOST,
                route("regex", PathMatch.regex(PATHOLOGICAL_PATH), "regex"),
                conditional("header", List.of(new StringMatch("x-probe", StringMatch.Type.REGEX, PATHOLOGICAL_VALUE)), List.of()),
                conditional("query", List.of(), List.of(new StringMatch("q", StringMatch.Type.REGEX, PATHOLOGICAL_VALUE))),
                route("root", PathMatch.prefix("/"), "root"))));
    }

    private static Route conditional(String service, List<StringMatch> headers, List<StringMatch> query) {
        return new Route(service, Fixture.SOURCE, new RouteMatch(PathMatch.prefix("/cond"), null, headers, query),
                new RouteAction.Forward(List.of(to(service))), List.of(), Timeouts.NONE, RetryPolicy.NONE);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static RawHttp.Answer get(String target, String extraHeader) throws Exception {
        String head = "GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + extraHeader + "Connection: close\r\n\r\n";
        return RawHttp.exchange(f.port, head.getBytes(StandardCharsets.US_ASCII), 30_000);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPathCraftedAgainstTheRouteRegexIsAnsweredAndTheEventLoopServesTheNextRequest() throws Exception {
        RawHttp.Answer crafted = get("/" + "a".repeat(200) + "!", "");
        assertThat(crafted.status()).isEqualTo(200);
        assertThat(crafted.text()).contains("x-backend: root");
        assertThat(get("/" + "a".repeat(25), "").text()).contains("x-backend: regex");
        assertThat(get("/next", "").text()).contains("x-backend: root");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCraftedHeaderOrQueryValueIsAnsweredAndTheEventLoopServesTheNextRequest() throws Exception {
        String crafted = "x".repeat(200) + "!";
        assertThat(get("/cond", "x-probe: " + crafted + "\r\n").text()).contains("x-backend: root");
        assertThat(get("/cond?q=" + crafted, "").text()).contains("x-backend: root");
        assertThat(get("/cond", "x-probe: " + "x".repeat(25) + "\r\n").text()).contains("x-backend: header");
        assertThat(get("/cond?q=" + "x".repeat(25), "").text()).contains("x-backend: query");
        assertThat(get("/next", "").text()).contains("x-backend: root");
    }
}
