package dev.pier.testing;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java server with protobuf services described at run time (no protoc): package
 * {@code pier.test.greet} ({@code pier/test/greet.proto}, importing
 * {@code google/protobuf/timestamp.proto}) has {@code Greeter} (SayHello, Fail, Sleep,
 * LotsOfReplies server-streaming, Chat bidirectional), {@code Foo} (Bar, Call), {@code Bar} (Baz),
 * {@code Baz} (Cat) and {@code Twin} (Hi); package {@code pier.test.other} has another {@code Twin}.
 * Every unary method answers a {@code HelloReply} {message: "<Method> <name>", server: <server
 * name>, count: times, tags, at}. Server reflection is v1, v1alpha only, or none.
 */
public final class GrpcGreeter implements AutoCloseable {
    public static final String PACKAGE = "pier.test.greet";

    /** Which reflection service the server offers. */
    public enum Reflection { V1, V1ALPHA, NONE }

    public static final FileDescriptor FILE = build();
    public static final Descriptor HELLO_REQUEST = FILE.findMessageTypeByName("HelloRequest");
    public static final Descriptor HELLO_REPLY = FILE.findMessageTypeByName("HelloReply");
    public static final Descriptor FAIL_REQUEST = FILE.findMessageTypeByName("FailRequest");
    public static final Descriptor SLEEP_REQUEST = FILE.findMessageTypeByName("SleepRequest");
    public static final FileDescriptor OTHER = buildOther();

    private final String name;
    private final Server server;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "grpc-greeter-timer");
        t.setDaemon(true);
        return t;
    });

    private GrpcGreeter(String name, String host, int port, Reflection reflection) throws IOException {
        this.name = name;
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port));
        for (Descriptors.ServiceDescriptor s : FILE.getServices()) b.addService(recorded(definition(s)));
        for (Descriptors.ServiceDescriptor s : OTHER.getServices()) b.addService(recorded(definition(s)));
        if (reflection == Reflection.V1) b.addService(ProtoReflectionServiceV1.newInstance());
        if (reflection == Reflection.V1ALPHA) b.addService((BindableService) ProtoReflectionService.newInstance());
        this.server = b.build().start();
    }

    public static GrpcGreeter start(String name, String host, Reflection reflection) {
        return start(name, host, reflection, 0);
    }

    /** As {@link #start(String, String, Reflection)}, on {@code port} (0: any free one). */
    public static GrpcGreeter start(String name, String host, Reflection reflection, int port) {
        try {
            return new GrpcGreeter(name, host, port, reflection);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** The metadata (request headers) of the last call the services got. */
    public Metadata lastMetadata() {
        return lastMetadata;
    }

    private volatile Metadata lastMetadata;

    private ServerServiceDefinition recorded(ServerServiceDefinition definition) {
        return ServerInterceptors.intercept(definition, new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                lastMetadata = headers;
                return next.startCall(call, headers);
            }
        });
    }

    /** The grpc-java method of {@code service.method} (simple names), with DynamicMessage marshallers. */
    public static MethodDescriptor<DynamicMessage, DynamicMessage> method(String service, String method) {
        Descriptors.ServiceDescriptor s = FILE.findServiceByName(service);
        return grpcMethod(s, s.findMethodByName(method));
    }

    /** Calls a unary method on {@code channel}. */
    public static DynamicMessage unary(ManagedChannel channel, String service, String method, DynamicMessage request) {
        return ClientCalls.blockingUnaryCall(channel, method(service, method), io.grpc.CallOptions.DEFAULT, request);
    }

    public static DynamicMessage hello(String name, int times) {
        return DynamicMessage.newBuilder(HELLO_REQUEST)
                .setField(HELLO_REQUEST.findFieldByName("name"), name)
                .setField(HELLO_REQUEST.findFieldByName("times"), times).build();
    }

    private static MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(Descriptors.ServiceDescriptor s,
                                                                             Descriptors.MethodDescriptor m) {
        MethodDescriptor.MethodType type = m.isClientStreaming()
                ? (m.isServerStreaming() ? MethodDescriptor.MethodType.BIDI_STREAMING : MethodDescriptor.MethodType.CLIENT_STREAMING)
                : (m.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY);
        return MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(s.getFullName(), m.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getOutputType())))
                .setSchemaDescriptor(new MethodSchema(m))
                .build();
    }

    private ServerServiceDefinition definition(Descriptors.ServiceDescriptor s) {
        ServiceDescriptor.Builder sd = ServiceDescriptor.newBuilder(s.getFullName()).setSchemaDescriptor(new ServiceSchema(s));
        List<MethodDescriptor<DynamicMessage, DynamicMessage>> methods = s.getMethods().stream().map(m -> grpcMethod(s, m)).toList();
        methods.forEach(sd::addMethod);
        ServerServiceDefinition.Builder def = ServerServiceDefinition.builder(sd.build());
        for (int i = 0; i < methods.size(); i++) {
            Descriptors.MethodDescriptor m = s.getMethods().get(i);
            MethodDescriptor<DynamicMessage, DynamicMessage> gm = methods.get(i);
            switch (gm.getType()) {
                case UNARY -> def.addMethod(gm, ServerCalls.asyncUnaryCall((req, out) -> unary(m, req, out)));
                case SERVER_STREAMING -> def.addMethod(gm, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    for (int n = 0; n < 3; n++) out.onNext(reply(m, req));
                    out.onCompleted();
                }));
                default -> def.addMethod(gm, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<DynamicMessage>() {
                    @Override
                    public void onNext(DynamicMessage value) {
                        out.onNext(reply(m, value));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }));
            }
        }
        return def.build();
    }

    private void unary(Descriptors.MethodDescriptor m, DynamicMessage req, StreamObserver<DynamicMessage> out) {
        switch (m.getName()) {
            case "Fail" -> {
                String code = (String) req.getField(FAIL_REQUEST.findFieldByName("code"));
                String message = (String) req.getField(FAIL_REQUEST.findFieldByName("message"));
                out.onError(Status.fromCode(Status.Code.valueOf(code)).withDescription(message).asRuntimeException());
            }
            case "Sleep" -> {
                int millis = (Integer) req.getField(SLEEP_REQUEST.findFieldByName("millis"));
                timers.schedule(() -> {
                    try {
                        out.onNext(DynamicMessage.newBuilder(HELLO_REPLY)
                                .setField(HELLO_REPLY.findFieldByName("message"), "slept " + millis)
                                .setField(HELLO_REPLY.findFieldByName("server"), name).build());
                        out.onCompleted();
                    } catch (RuntimeException e) {
                        // cancelled meanwhile (a deadline)
                    }
                }, millis, TimeUnit.MILLISECONDS);
            }
            default -> {
                out.onNext(reply(m, req));
                out.onCompleted();
            }
        }
    }

    /** A HelloReply for a HelloRequest (from any package: fields read by name). */
    private DynamicMessage reply(Descriptors.MethodDescriptor m, DynamicMessage req) {
        Descriptor in = req.getDescriptorForType();
        Descriptor outType = m.getOutputType();
        DynamicMessage.Builder b = DynamicMessage.newBuilder(outType)
                .setField(outType.findFieldByName("message"), m.getName() + " " + req.getField(in.findFieldByName("name")))
                .setField(outType.findFieldByName("server"), name);
        if (outType.findFieldByName("count") != null) {
            b.setField(outType.findFieldByName("count"), ((Integer) req.getField(in.findFieldByName("times"))).longValue());
            b.setField(outType.findFieldByName("tags"), req.getField(in.findFieldByName("tags")));
            if (req.hasField(in.findFieldByName("at"))) b.setField(outType.findFieldByName("at"), req.getField(in.findFieldByName("at")));
        }
        return b.build();
    }

    private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).setJsonName(jsonName(name)).build();
    }

    private static String jsonName(String name) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static MethodDescriptorProto rpc(String name, String in, String out, boolean clientStreaming, boolean serverStreaming) {
        return MethodDescriptorProto.newBuilder().setName(name).setInputType(in).setOutputType(out)
                .setClientStreaming(clientStreaming).setServerStreaming(serverStreaming).build();
    }

    private static FileDescriptor build() {
        String req = "." + PACKAGE + ".HelloRequest";
        String rep = "." + PACKAGE + ".HelloReply";
        FileDescriptorProto proto = FileDescriptorProto.newBuilder()
                .setName("pier/test/greet.proto")
                .setPackage(PACKAGE)
                .setSyntax("proto3")
                .addDependency("google/protobuf/timestamp.proto")
                .addMessageType(DescriptorProto.newBuilder().setName("HelloRequest")
                        .addField(field("name", 1, FieldDescriptorProto.Type.TYPE_STRING))
                        .addField(field("times", 2, FieldDescriptorProto.Type.TYPE_INT32))
                        .addField(field("tags", 3, FieldDescriptorProto.Type.TYPE_STRING).toBuilder()
                                .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED))
                        .addField(field("at", 4, FieldDescriptorProto.Type.TYPE_MESSAGE).toBuilder()
                                .setTypeName(".google.protobuf.Timestamp")))
                .addMessageType(DescriptorProto.newBuilder().setName("HelloReply")
                        .addField(field("message", 1, FieldDescriptorProto.Type.TYPE_STRING))
                        .addField(field("server", 2, FieldDescriptorProto.Type.TYPE_STRING))
                        .addField(field("count", 3, FieldDescriptorProto.Type.TYPE_INT64))
                        .addField(field("tags", 4, FieldDescriptorProto.Type.TYPE_STRING).toBuilder()
                                .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED))
                        .addField(field("at", 5, FieldDescriptorProto.Type.TYPE_MESSAGE).toBuilder()
                                .setTypeName(".google.protobuf.Timestamp")))
                .addMessageType(DescriptorProto.newBuilder().setName("FailRequest")
                        .addField(field("code", 1, FieldDescriptorProto.Type.TYPE_STRING))
                        .addField(field("message", 2, FieldDescriptorProto.Type.TYPE_STRING)))
                .addMessageType(DescriptorProto.newBuilder().setName("SleepRequest")
                        .addField(field("millis", 1, FieldDescriptorProto.Type.TYPE_INT32)))
                .addService(ServiceDescriptorProto.newBuilder().setName("Greeter")
                        .addMethod(rpc("SayHello", req, rep, false, false))
                        .addMethod(rpc("Fail", "." + PACKAGE + ".FailRequest", rep, false, false))
                        .addMethod(rpc("Sleep", "." + PACKAGE + ".SleepRequest", rep, false, false))
                        .addMethod(rpc("LotsOfReplies", req, rep, false, true))
                        .addMethod(rpc("Chat", req, rep, true, true)))
                .addService(ServiceDescriptorProto.newBuilder().setName("Foo")
                        .addMethod(rpc("Bar", req, rep, false, false))
                        .addMethod(rpc("Call", req, rep, false, false)))
                .addService(ServiceDescriptorProto.newBuilder().setName("Bar").addMethod(rpc("Baz", req, rep, false, false)))
                .addService(ServiceDescriptorProto.newBuilder().setName("Baz").addMethod(rpc("Cat", req, rep, false, false)))
                .addService(ServiceDescriptorProto.newBuilder().setName("Twin").addMethod(rpc("Hi", req, rep, false, false)))
                .build();
        try {
            return FileDescriptor.buildFrom(proto, new FileDescriptor[]{Timestamp.getDescriptor().getFile()});
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FileDescriptor buildOther() {
        String req = "." + PACKAGE + ".HelloRequest";
        String rep = "." + PACKAGE + ".HelloReply";
        FileDescriptorProto proto = FileDescriptorProto.newBuilder()
                .setName("pier/test/other.proto")
                .setPackage("pier.test.other")
                .setSyntax("proto3")
                .addDependency("pier/test/greet.proto")
                .addService(ServiceDescriptorProto.newBuilder().setName("Twin").addMethod(rpc("Hi", req, rep, false, false)))
                .build();
        try {
            return FileDescriptor.buildFrom(proto, new FileDescriptor[]{FILE});
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class ServiceSchema implements ProtoServiceDescriptorSupplier {
        private final Descriptors.ServiceDescriptor service;

        ServiceSchema(Descriptors.ServiceDescriptor service) {
            this.service = service;
        }

        @Override
        public FileDescriptor getFileDescriptor() {
            return service.getFile();
        }

        @Override
        public Descriptors.ServiceDescriptor getServiceDescriptor() {
            return service;
        }
    }

    private static final class MethodSchema implements ProtoMethodDescriptorSupplier {
        private final Descriptors.MethodDescriptor method;

        MethodSchema(Descriptors.MethodDescriptor method) {
            this.method = method;
        }

        @Override
        public FileDescriptor getFileDescriptor() {
            return method.getFile();
        }

        @Override
        public Descriptors.ServiceDescriptor getServiceDescriptor() {
            return method.getService();
        }

        @Override
        public Descriptors.MethodDescriptor getMethodDescriptor() {
            return method;
        }
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
