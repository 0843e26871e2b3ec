package dev.pier.testing;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server and client for tests and benches, without protoc: the service
 * {@code pier.test.Echo} carries UTF-8 strings with its own marshaller. Its methods cover every
 * call shape: {@code Echo} (unary, answers {@code <server>:<message>}), {@code Repeat} (server
 * streaming, {@code "n:text"} gives n messages {@code text-i}), {@code Concat} (client streaming,
 * joins every message with {@code +}), {@code Chat} (bidirectional, answers each message as it
 * arrives), {@code Hello} (bidirectional, greets first with {@code hello from <server>} before the
 * client sends anything, then answers like Chat), {@code Sleep} (unary, answers after the milliseconds it is sent; a deadline cuts it),
 * {@code Fail} (unary, fails with status {@code "CODE:message"}), {@code Deadline} (unary, answers
 * the milliseconds left of the deadline the server saw, or {@code none}).
 */
public final class GrpcEcho implements AutoCloseable {
    public static final String SERVICE = "pier.test.Echo";

    public static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    public static final MethodDescriptor<String, String> ECHO = method("Echo", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> REPEAT = method("Repeat", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<String, String> CONCAT = method("Concat", MethodDescriptor.MethodType.CLIENT_STREAMING);
    public static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    public static final MethodDescriptor<String, String> HELLO = method("Hello", MethodDescriptor.MethodType.BIDI_STREAMING);
    public static final MethodDescriptor<String, String> SLEEP = method("Sleep", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> DEADLINE = method("Deadline", MethodDescriptor.MethodType.UNARY);

    private final String name;
    private final Server server;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "grpc-echo-timer");
        t.setDaemon(true);
        return t;
    });

    private GrpcEcho(String name, String host, int port) throws IOException {
        this.name = name;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(definition()).build().start();
    }

    /** Starts a server named {@code name} (its answers say which server answered) on {@code host}, any free port. */
    public static GrpcEcho start(String name, String host) {
        return start(name, host, 0);
    }

    /** As {@link #start(String, String)}, on {@code port} (0: any free one). */
    public static GrpcEcho start(String name, String host, int port) {
        try {
            return new GrpcEcho(name, host, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    }

    private ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, out) -> reply(out, name + ":" + req)))
                .addMethod(REPEAT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int colon = req.indexOf(':');
                    int n = Integer.parseInt(req.substring(0, colon));
                    for (int i = 0; i < n; i++) out.onNext(req.substring(colon + 1) + "-" + i);
                    out.onCompleted();
                }))
                .addMethod(CONCAT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    private final StringBuilder joined = new StringBuilder();

                    @Override
                    public void onNext(String value) {
                        if (joined.length() > 0) joined.append('+');
                        joined.append(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        reply(out, name + ":" + joined);
                    }
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext(name + ":" + value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .addMethod(HELLO, ServerCalls.asyncBidiStreamingCall(out -> {
                    out.onNext("hello from " + name);
                    return new StreamObserver<String>() {
                        @Override
                        public void onNext(String value) {
                            out.onNext(name + ":" + value);
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                            out.onCompleted();
                        }
                    };
                }))
                .addMethod(SLEEP, ServerCalls.asyncUnaryCall((req, out) ->
                        timers.schedule(() -> reply(out, name + ":slept " + req), Long.parseLong(req), TimeUnit.MILLISECONDS)))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) -> {
                    int colon = req.indexOf(':');
                    out.onError(Status.fromCode(Status.Code.valueOf(req.substring(0, colon))).withDescription(req.substring(colon + 1)).asRuntimeException());
                }))
                .addMethod(DEADLINE, ServerCalls.asyncUnaryCall((req, out) -> {
                    Deadline deadline = Context.current().getDeadline();
                    reply(out, deadline == null ? "none" : Long.toString(deadline.timeRemaining(TimeUnit.MILLISECONDS)));
                }))
                .build();
    }

    private static void reply(StreamObserver<String> out, String value) {
        try {
            out.onNext(value);
            out.onCompleted();
        } catch (RuntimeException e) {
            // the call was cancelled meanwhile (a deadline): nothing to answer
        }
    }

    /** A plaintext (h2c, prior knowledge) channel to {@code host:port} that sends {@code authority} as :authority. */
    public static ManagedChannel channel(String host, int port, String authority) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(new InetSocketAddress(host, port)).usePlaintext();
        if (authority != null) b.overrideAuthority(authority);
        return b.build();
    }

    public static String unary(ManagedChannel channel, MethodDescriptor<String, String> method, String request, CallOptions options) {
        return ClientCalls.blockingUnaryCall(channel, method, options, request);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
    }
}
