package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static dev.pier.proxy.Fixture.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.Filter;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The path policy through real sockets: requests written byte for byte (no client in between that
 * could tidy the path), matched and forwarded as {@link PathNormalizer} says.
 */
class PathPolicyTest {
    static Fixture f;

    @BeforeAll
    static void start() {
        f = new Fixture();
        for (String name : List.of("admin", "public", "raw", "rewritten", "svc-greeter")) f.endpoints(name, f.backend(name));
        Route raw = new Route("raw", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/raw")),
                new RouteAction.Forward(List.of(to("raw"))), List.of(), Timeouts.NONE, RetryPolicy.NONE, true);
        Route rewrite = new Route("rewrite", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/api")),
                new RouteAction.Forward(List.of(to("rewritten"))),
                List.of(new Filter.UrlRewrite(null, new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, "/v2"))),
                Timeouts.NONE, RetryPolicy.NONE);
        Route resolver = new Route("resolver", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/apps")),
                new RouteAction.Resolve("test", "/apps", "svc-", false, Map.of("svc-greeter", svc("svc-greeter")),
                        BalancerPolicy.ROUND_ROBIN), List.of(), Timeouts.NONE, RetryPolicy.NONE);
        f.plane.apply(table(host("*",
                route("admin", PathMatch.prefix("/admin"), "admin"),
                raw, rewrite, resolver,
                route("public", PathMatch.prefix("/"), "public"))));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** What one raw HTTP/1.1 request got: the status, the backend that answered, and the path that backend saw. */
    record Answer(int status, String backend, String backendUri, String body) {}

    static Answer send(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", f.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: paths.test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            String head = text.substring(0, split);
            String body = text.substring(split + 4);
            String backend = null;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("x-backend:")) backend = line.substring(10).trim();
            }
            String uri = backend == null ? null : new JsonObject(body).getString("uri");
            return new Answer(status, backend, uri, body);
        }
    }

    // ---- the "Why" of issue 9: each of these walked around a /admin prefix rule ----------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/%61dmin/x", "/x/../admin/x", "/./admin/x", "//admin/x", "/%2e/admin/x", "/x/%2E%2E/admin/x",
            "/admin//x", "/admin/./x"})
    void aPathSpelledDifferentlyIsMatchedAndForwardedAsTheNormalOne(String target) throws IOException {
        Answer a = send(target);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.backend()).as("the /admin rule answers %s", target).isEqualTo("admin");
        assertThat(a.backendUri()).startsWith("/admin/x").doesNotContain("..").doesNotContain("//").doesNotContain("%");
    }

    @Test
    void theQueryStringIsNeverTouched() throws IOException {
        Answer a = send("/%61dmin/./x?next=/../a%2Fb&c=%61");
        assertThat(a.backend()).isEqualTo("admin");
        assertThat(a.backendUri()).isEqualTo("/admin/x?next=/../a%2Fb&c=%61");
    }

    @Test
    void otherEscapesAreKeptWithUpperCaseHex() throws IOException {
        Answer a = send("/docs/a%3ab%20c");
        assertThat(a.backend()).isEqualTo("public");
        assertThat(a.backendUri()).isEqualTo("/docs/a%3Ab%20c");
    }

    @ParameterizedTest(name = "{0} -> 400")
    @CsvSource(delimiter = '|', value = {
            "/../admin/x | climbs above the root",
            "/%2e%2e/admin/x | climbs above the root",
            "/x/../../admin | climbs above the root",
            "/admin%2Fx | encoded / or",
            "/public/..%2fadmin/x | encoded / or",
            "/admin%5Cx | encoded / or",
            "/a\\b | backslash",
            "/a%zz | two hex digits",
            "/a%4 | two hex digits",
            "/x/..;/admin/x | dot segment with parameters",
            "*  | does not start with /"})
    void refusedPathsGet400AndReachNoBackend(String target, String why) throws IOException {
        Answer a = send(target.strip());
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.backend()).isNull();
        assertThat(a.body()).contains(why.strip());
    }

    @Test
    void aRawPathRouteMatchesTheNormalPathButForwardsWhatTheClientSent() throws IOException {
        Answer a = send("/x/../raw//a/%2Fb/./c%3a?q=1");
        assertThat(a.backend()).isEqualTo("raw");
        assertThat(a.backendUri()).isEqualTo("/x/../raw//a/%2Fb/./c%3a?q=1");
        // what every route refuses stays refused: matching needs a path inside the root
        assertThat(send("/../raw/x").status()).isEqualTo(400);
    }

    @Test
    void rewritesAndTheResolverSeeTheNormalisedPath() throws IOException {
        Answer rewritten = send("/%61pi//x/./y");
        assertThat(rewritten.backend()).isEqualTo("rewritten");
        assertThat(rewritten.backendUri()).isEqualTo("/v2/x/y");
        Answer resolved = send("/apps/x/../%67reeter/hello");
        assertThat(resolved.backend()).isEqualTo("svc-greeter");
        assertThat(resolved.backendUri()).isEqualTo("/greeter/hello");
    }

    @Test
    void h2cRequestsFollowTheSamePolicy() {
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port), new PoolOptions());
        try {
            var reply = await(f.onLoop(() -> h2.request(HttpMethod.GET, "/x/../%61dmin//x").compose(HttpClientRequest::send)
                    .compose(resp -> resp.body().map(b -> Map.entry(resp.statusCode(), b.toString())))));
            assertThat(reply.getKey()).isEqualTo(200);
            assertThat(new JsonObject(reply.getValue()).getString("uri")).isEqualTo("/admin/x");
            int refused = await(f.onLoop(() -> h2.request(HttpMethod.GET, "/..%2Fadmin").compose(HttpClientRequest::send)
                    .map(resp -> resp.statusCode())));
            assertThat(refused).isEqualTo(400);
        } finally {
            await(h2.close());
        }
    }

    // ---- the function itself ------------------------------------------------------------------

    @Test
    void anAlreadyNormalPathIsReturnedAsTheSameString() throws Exception {
        for (String p : List.of("/", "/admin/x", "/a/b/", "/a.b/..c/...", "/%20x", "/a;b/c", "/.well-known/x", "/a%2Fb%3A")) {
            assertThat(PathNormalizer.normalize(p)).as(p).isSameAs(p);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "'', /",
            "/a/., /a/",
            "/a/.., /",
            "/a/b/.., /a/",
            "/a/b/../, /a/",
            "//, /",
            "/., /",
            "///a///b///, /a/b/",
            "/%7e%2d%5f%2E, /~-_.",
            "/%41%42/%2e%2E/c, /c",
            "/a/%2f, /a/%2F",
            "/a%00b, /a%00b"})
    void normalises(String in, String out) throws Exception {
        assertThat(PathNormalizer.normalize(in)).isEqualTo(out);
        assertThat(PathNormalizer.normalize(out)).isEqualTo(out);
    }

    @Test
    void refusesWithAReason() {
        assertThatThrownBy(() -> PathNormalizer.normalize("/a/\u0001")).hasMessageContaining("control character");
        assertThatThrownBy(() -> PathNormalizer.normalize("/a/.;x")).hasMessageContaining("parameters");
        assertThatThrownBy(() -> PathNormalizer.normalize("x")).hasMessageContaining("does not start with /");
    }
}
