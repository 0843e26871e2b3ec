package dev.pier.proxy;

import static dev.pier.proxy.Fixture.await;
import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.svc;
import static dev.pier.proxy.Fixture.table;
import static dev.pier.testing.GrpcEcho.CHAT;
import static dev.pier.testing.GrpcEcho.CONCAT;
import static dev.pier.testing.GrpcEcho.DEADLINE;
import static dev.pier.testing.GrpcEcho.ECHO;
import static dev.pier.testing.GrpcEcho.FAIL;
import static dev.pier.testing.GrpcEcho.HELLO;
import static dev.pier.testing.GrpcEcho.REPEAT;
import static dev.pier.testing.GrpcEcho.SLEEP;
import static dev.pier.testing.GrpcEcho.unary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.Timeouts;
import dev.pier.model.WeightedBackend;
import dev.pier.testing.GrpcEcho;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the data plane with grpc-java on both sides: an h2c downstream to an h2c backend
 * ({@code kubernetes.io/h2c}), every call shape, trailers, deadlines and Pier's own answers as
 * gRPC statuses.
 */
class GrpcProxyTest {
    /** The data plane's default per-try bound in these tests: short, so that its effect shows. */
    private static final Duration BACKEND_TIMEOUT = Duration.ofMillis(800);

    Fixture f;
    GrpcEcho a;
    ManagedChannel channel;

    @BeforeEach
    void start() {
        f = new Fixture(new SimpleMeterRegistry(), new ProxyOptions("127.0.0.1", 0, 64, 1024, Duration.ofSeconds(2),
                BACKEND_TIMEOUT, 2, ProxyOptions.DEFAULT_SERVER_HEADER));
        a = GrpcEcho.start("a", "127.0.0.1");
        channel = GrpcEcho.channel("127.0.0.1", f.port, "grpc.test");
        serve(Timeouts.NONE, BackendProtocol.H2C);
        f.endpoints("echo", Endpoint.of("127.0.0.1", a.port()));
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        a.close();
        f.close();
    }

    private void serve(Timeouts timeouts, BackendProtocol protocol) {
        Route route = new Route("grpc", Fixture.SOURCE, RouteMatch.path(PathMatch.prefix("/" + GrpcEcho.SERVICE)),
                new RouteAction.Forward(List.of(new WeightedBackend(svc("echo"), 1, BalancerPolicy.ROUND_ROBIN, protocol))),
                List.of(), timeouts, RetryPolicy.NONE);
        f.plane.apply(table(host("grpc.test", route)));
    }

    private static CallOptions deadline(long ms) {
        return CallOptions.DEFAULT.withDeadlineAfter(ms, TimeUnit.MILLISECONDS);
    }

    private static Status statusOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void unaryCallsPassThroughAndMultiplexOnTheBackendConnection() throws Exception {
        assertThat(unary(channel, ECHO, "hello", deadline(10_000))).isEqualTo("a:hello");
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            var future = ClientCalls.futureUnaryCall(channel.newCall(ECHO, deadline(20_000)), "m" + i);
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return future.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < calls.size(); i++) assertThat(calls.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("a:m" + i);
        String big = "x".repeat(1 << 20); // past every HTTP/2 flow-control window on the way
        assertThat(unary(channel, ECHO, big, deadline(20_000))).isEqualTo("a:" + big);
    }

    @Test
    void serverStreamingDeliversEveryMessage() {
        List<String> got = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, REPEAT, deadline(10_000), "5:tick").forEachRemaining(got::add);
        assertThat(got).containsExactly("tick-0", "tick-1", "tick-2", "tick-3", "tick-4");
    }

    @Test
    void clientStreamingJoinsEveryMessage() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(channel.newCall(CONCAT, deadline(10_000)),
                observer(reply::complete, reply::completeExceptionally, () -> { }));
        for (String m : List.of("a", "b", "c")) requests.onNext(m);
        requests.onCompleted();
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("a:a+b+c");
    }

    @Test
    void bidirectionalStreamsAnswerEachMessageBeforeTheNextIsSent() throws Exception {
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, deadline(10_000)),
                observer(answers::add, done::completeExceptionally, () -> done.complete(null)));
        for (String m : List.of("one", "two", "three")) {
            requests.onNext(m);
            // The next message goes only once this one's answer came back through Pier: nothing is held.
            assertThat(answers.poll(5, TimeUnit.SECONDS)).isEqualTo("a:" + m);
        }
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aServerThatSpeaksFirstIsReachedBeforeTheClientSendsAMessage() throws Exception {
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(HELLO, deadline(10_000)),
                observer(answers::add, done::completeExceptionally, () -> done.complete(null)));
        // Only the request head has been sent: Pier must pass it on at once.
        assertThat(answers.poll(5, TimeUnit.SECONDS)).isEqualTo("hello from a");
        requests.onNext("hi");
        assertThat(answers.poll(5, TimeUnit.SECONDS)).isEqualTo("a:hi");
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theBackendsStatusAndMessageCrossInTrailers() {
        Status status = statusOf(() -> unary(channel, FAIL, "NOT_FOUND:no such thing %, ü", deadline(10_000)));
        assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(status.getDescription()).isEqualTo("no such thing %, ü");
    }

    @Test
    void trailersArriveAsTrailersToAPlainHttp2Client() {
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port), new PoolOptions());
        try {
            RawReply ok = raw(h2, "Echo", "hi", null);
            assertThat(ok.status).isEqualTo(200);
            assertThat(ok.headers.get("grpc-status")).isNull();
            assertThat(ok.trailers.get("grpc-status")).isEqualTo("0");
            assertThat(ok.message).isEqualTo("a:hi");
        } finally {
            await(h2.close());
        }
    }

    @Test
    void grpcTimeoutIsTheDeadlineAndPierAnswersDeadlineExceededTrailersOnly() {
        HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(f.port), new PoolOptions());
        try {
            long start = System.nanoTime();
            RawReply late = raw(h2, "Sleep", "5000", "300m"); // a client that keeps no timer of its own
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(late.status).isEqualTo(200);
            assertThat(late.headers.get("grpc-status")).isEqualTo("4"); // in the one header block: trailers-only
            assertThat(late.headers.get("grpc-message")).isEqualTo("request timed out");
            assertThat(late.headers.get("content-type")).isEqualTo("application/grpc");
            assertThat(late.trailers.isEmpty()).isTrue();
            assertThat(late.body.length()).isZero();
            assertThat(tookMs).as("answered at the deadline, not at the backend's 5 s").isLessThan(4000);
        } finally {
            await(h2.close());
        }
    }

    @Test
    void theRoutesRequestTimeoutBoundsTheDeadlineTheBackendIsGiven() {
        assertThat(Long.parseLong(unary(channel, DEADLINE, "", deadline(30_000)))).isBetween(20_000L, 30_000L);
        serve(new Timeouts(Duration.ofSeconds(2), null), BackendProtocol.H2C);
        assertThat(Long.parseLong(unary(channel, DEADLINE, "", deadline(30_000)))).isBetween(1L, 2000L);
        // No deadline from the client: the route's timeout becomes the backend's deadline, and Pier enforces it.
        assertThat(Long.parseLong(unary(channel, DEADLINE, "", CallOptions.DEFAULT))).isBetween(1L, 2000L);
        Status late = statusOf(() -> unary(channel, SLEEP, "4000", CallOptions.DEFAULT));
        assertThat(late.getCode()).as(late.toString()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void aDeadlineLongerThanTheDefaultPerTryBoundIsHonoured() {
        // The data plane's default per-try bound (800 ms here) would cut this call; its deadline allows it.
        assertThat(unary(channel, SLEEP, "1500", deadline(10_000))).isEqualTo("a:slept 1500");
        // Without a deadline the default bound applies, answered as a gRPC status.
        Status cut = statusOf(() -> unary(channel, SLEEP, "3000", CallOptions.DEFAULT));
        assertThat(cut.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(cut.getDescription()).isEqualTo("backend timed out");
    }

    @Test
    void aBackendPierCannotReachIsUnavailable() throws Exception {
        f.endpoints("echo");
        Status none = statusOf(() -> unary(channel, ECHO, "x", deadline(10_000)));
        assertThat(none.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(none.getDescription()).isEqualTo("no endpoint available");

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        f.endpoints("echo", Endpoint.of("127.0.0.1", closed));
        Status refused = statusOf(() -> unary(channel, ECHO, "x", deadline(10_000)));
        assertThat(refused.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.getDescription()).isEqualTo("backend connect failed");

        f.endpoints("echo", Endpoint.of("127.0.0.1", a.port()));
        serve(Timeouts.NONE, BackendProtocol.UNAVAILABLE);
        Status unusable = statusOf(() -> unary(channel, ECHO, "x", deadline(10_000)));
        assertThat(unusable.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(unusable.getDescription()).isEqualTo("backend protocol not usable");
    }

    @Test
    void noRouteIsUnimplemented() {
        Status status = statusOf(() -> unary(channel, GrpcEcho.method("Nope", io.grpc.MethodDescriptor.MethodType.UNARY)
                .toBuilder().setFullMethodName("other.Service/Nope").build(), "x", deadline(10_000)));
        assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(status.getDescription()).isEqualTo("no route");
    }

    @Test
    void aGrpcBackendSpokenToInHttp1FailsAsTheBackendSaysNotSilently() {
        serve(Timeouts.NONE, BackendProtocol.HTTP1);
        Status status = statusOf(() -> unary(channel, ECHO, "x", deadline(10_000)));
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE); // the h2-only server drops an HTTP/1.1 request
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static <T> StreamObserver<T> observer(java.util.function.Consumer<T> next, java.util.function.Consumer<Throwable> error,
                                                  Runnable completed) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                next.accept(value);
            }

            @Override
            public void onError(Throwable t) {
                error.accept(t);
            }

            @Override
            public void onCompleted() {
                completed.run();
            }
        };
    }

    record RawReply(int status, io.vertx.core.MultiMap headers, io.vertx.core.MultiMap trailers, Buffer body, String message) {
    }

    /** One unary call by hand: a length-prefixed message, and the reply's head, trailers and message as they came. */
    private RawReply raw(HttpClient h2, String method, String message, String grpcTimeout) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(bytes.length).appendBytes(bytes);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/" + GrpcEcho.SERVICE + "/" + method)
                .putHeader("content-type", "application/grpc").putHeader("te", "trailers");
        if (grpcTimeout != null) options.putHeader("grpc-timeout", grpcTimeout);
        return await(f.onLoop(() -> h2.request(options).compose(req -> {
            req.authority(io.vertx.core.net.HostAndPort.create("grpc.test", -1));
            return req.send(frame);
        }).compose(resp -> resp.body().map(body -> {
            String text = body.length() > 5 ? body.getString(5, body.length()) : null;
            return new RawReply(resp.statusCode(), resp.headers(), resp.trailers(), body, text);
        }))));
    }
}
