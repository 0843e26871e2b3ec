package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.BackendProtocol;
import dev.pier.model.BackendTls;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.WeightedBackend;
import dev.pier.testing.TestTls;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each backend protocol against a real server of its kind: h2c, and TLS verified by a CA bundle or unverified. */
class BackendProtocolTest {
    static final ObjectRef CA = new ObjectRef("ConfigMap", "test", "backend-ca");

    @TempDir
    static Path dir;
    /** Made once (keytool is a JVM start each): a certificate for backend.test, and another nobody trusts. */
    static TestTls cert;
    static TestTls other;
    Fixture f;

    @BeforeAll
    static void certificates() {
        cert = TestTls.selfSigned(dir, "backend.test");
        other = TestTls.selfSigned(dir, "backend.test");
    }

    @BeforeEach
    void start() {
        f = new Fixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void serve(BackendProtocol protocol) {
        Route route = Route.forward("r", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/")),
                List.of(new WeightedBackend(svc("svc"), 1, BalancerPolicy.ROUND_ROBIN, protocol)));
        f.plane.apply(table(host("*", route)));
    }

    /** A backend answering with the HTTP version it was spoken to in, whether over TLS, and the SNI it got. */
    private Endpoint backend(HttpServerOptions options) {
        HttpServer server = f.vertx.createHttpServer(options).requestHandler(req -> req.body().onSuccess(body ->
                req.response().putHeader("content-type", "application/json").end(new JsonObject()
                        .put("version", req.version().name()).put("ssl", req.isSSL())
                        .put("sni", req.connection().indicatedServerName())
                        .put("host", req.authority() == null ? null : req.authority().toString())
                        .put("body", body.toString()).encode())));
        await(server.listen(0, "127.0.0.1"));
        return Endpoint.of("127.0.0.1", server.actualPort());
    }

    private Endpoint tlsBackend(TestTls cert) {
        return backend(new HttpServerOptions().setSsl(true).setSni(true)
                .setKeyCertOptions(new PfxOptions().setPath(cert.keyStore().toString()).setPassword(cert.password())));
    }

    @Test
    void h2cBackendsAreSpokenToInHttp2WithPriorKnowledge() {
        f.endpoints("svc", backend(new HttpServerOptions().setHttp2ClearTextEnabled(true)));
        serve(BackendProtocol.H2C);
        Fixture.Reply reply = f.send(io.vertx.core.http.HttpMethod.POST, "app.test", "/x",
                io.vertx.core.MultiMap.caseInsensitiveMultiMap(), "payload");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().getString("version")).isEqualTo("HTTP_2");
        assertThat(reply.json().getString("host")).isEqualTo("app.test");
        assertThat(reply.json().getString("body")).isEqualTo("payload");
        serve(BackendProtocol.HTTP1);
        assertThat(f.get("app.test", "/x").json().getString("version")).isEqualTo("HTTP_1_1");
    }

    @Test
    void tlsBackendsAreVerifiedAgainstTheRoutesCaBundle() {
        f.endpoints("svc", tlsBackend(cert));
        serve(new BackendProtocol.Https(BackendTls.verified("backend.test", CA, cert.certificatePem())));
        Fixture.Reply reply = f.get("app.test", "/x");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().getBoolean("ssl")).isTrue();
        assertThat(reply.json().getString("sni")).isEqualTo("backend.test");
        assertThat(reply.json().getString("host")).as("the client's Host still crosses").isEqualTo("app.test");
    }

    @Test
    void aCertificateTheBundleDoesNotVouchForIsRefused() {
        f.endpoints("svc", tlsBackend(cert));
        serve(new BackendProtocol.Https(BackendTls.verified("backend.test", CA, other.certificatePem())));
        Fixture.Reply wrongCa = f.get("app.test", "/x");
        assertThat(wrongCa.status()).isEqualTo(502);
        assertThat(wrongCa.body()).isEqualTo("backend connect failed\n");
        // The right CA, but the certificate is not for the name Pier checks.
        serve(new BackendProtocol.Https(BackendTls.verified("elsewhere.test", CA, cert.certificatePem())));
        assertThat(f.get("app.test", "/x").status()).isEqualTo(502);
    }

    @Test
    void unverifiedTlsTakesAnyCertificateButOnlyWhenTheRouteSaysSo() {
        f.endpoints("svc", tlsBackend(cert));
        serve(new BackendProtocol.Https(BackendTls.unverified("whatever.test")));
        Fixture.Reply reply = f.get("app.test", "/x");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().getBoolean("ssl")).isTrue();
        assertThat(reply.json().getString("sni")).isEqualTo("whatever.test");
    }

    @Test
    void aCleartextBackendIsNotSpokenToInTlsNorTheOtherWayRound() {
        f.endpoints("svc", backend(new HttpServerOptions()));
        serve(new BackendProtocol.Https(BackendTls.verified("backend.test", CA, cert.certificatePem())));
        assertThat(f.get("app.test", "/x").status()).isEqualTo(502);
        f.endpoints("svc", tlsBackend(cert));
        serve(BackendProtocol.HTTP1);
        assertThat(f.get("app.test", "/x").status()).isEqualTo(502);
    }

    @Test
    void websocketsCrossTlsToAWssBackendButNotToAnH2cOne() {
        HttpServer server = f.vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new PfxOptions().setPath(cert.keyStore().toString()).setPassword(cert.password())));
        server.webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("tls:" + m)));
        await(server.listen(0, "127.0.0.1"));
        f.endpoints("svc", Endpoint.of("127.0.0.1", server.actualPort()));
        serve(new BackendProtocol.Https(BackendTls.verified("backend.test", CA, cert.certificatePem())));
        var wsClient = f.vertx.createWebSocketClient();
        io.vertx.core.Promise<String> echo = io.vertx.core.Promise.promise();
        var ws = await(f.onLoop(() -> wsClient.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(f.port).setURI("/chat")).onSuccess(socket -> socket.textMessageHandler(echo::tryComplete))));
        ws.writeTextMessage("hello");
        assertThat(await(echo.future())).isEqualTo("tls:hello");
        await(ws.close());

        f.endpoints("svc", backend(new HttpServerOptions()));
        serve(BackendProtocol.H2C);
        Fixture.Reply refused = f.send(io.vertx.core.http.HttpMethod.GET, "app.test", "/chat", io.vertx.core.MultiMap
                .caseInsensitiveMultiMap().add("upgrade", "websocket").add("connection", "Upgrade")
                .add("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==").add("sec-websocket-version", "13"), null);
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).isEqualTo("websocket upgrade to an HTTP/2 backend\n");
        await(wsClient.close());
    }

    @Test
    void anUnavailableProtocolIsAnswered503() {
        f.endpoints("svc", backend(new HttpServerOptions()));
        serve(BackendProtocol.UNAVAILABLE);
        Fixture.Reply reply = f.get("app.test", "/x");
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body()).isEqualTo("backend protocol not usable\n");
    }

    @Test
    void tlsClientsLeaveWithTheLastTableThatUsesThem() {
        f.endpoints("svc", tlsBackend(cert));
        serve(new BackendProtocol.Https(BackendTls.unverified("backend.test")));
        for (int i = 0; i < 4; i++) assertThat(f.get("app.test", "/x").status()).isEqualTo(200);
        assertThat(f.plane.tlsClients()).isPositive();
        f.endpoints("svc", backend(new HttpServerOptions()));
        serve(BackendProtocol.HTTP1);
        assertThat(f.get("app.test", "/x").status()).isEqualTo(200);
        long deadline = System.nanoTime() + 10_000_000_000L; // each loop drops its clients on its own thread, soon after the swap
        while (f.plane.tlsClients() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(f.plane.tlsClients()).isZero();
    }
}
