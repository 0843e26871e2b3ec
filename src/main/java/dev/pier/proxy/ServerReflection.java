package dev.pier.proxy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.pier.model.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Fetches a gRPC server's descriptors through its server reflection service
 * ({@code grpc.reflection.v1.ServerReflection}, else {@code v1alpha}, which has the same messages):
 * the list of services, the file of each and the files those import. The reflection messages are
 * written and read here field by field (their field numbers are the protocol), so Pier ships no
 * generated code. It runs on an event loop as a few {@link GrpcClientCall}s, each sending its
 * requests and then reading the answers; the descriptors are built off the loop
 * ({@link ServiceCatalog#build}).
 */
final class ServerReflection {
    static final String V1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
    static final String V1ALPHA = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
    /** Bounds on what one server may hand Pier. */
    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;
    static final int MAX_SERVICES = 1024;
    /** Rounds of asking for imported files the answers lacked; real servers send them with the first answer. */
    private static final int MAX_IMPORT_ROUNDS = 4;

    // Field numbers of grpc.reflection.v1 (and v1alpha) ServerReflectionRequest and ServerReflectionResponse.
    private static final int REQ_FILE_BY_FILENAME = 3;
    private static final int REQ_FILE_CONTAINING_SYMBOL = 4;
    private static final int REQ_LIST_SERVICES = 7;
    private static final int RESP_FILE_DESCRIPTOR_RESPONSE = 4;
    private static final int RESP_LIST_SERVICES_RESPONSE = 6;

    /** Why no catalog could be had; {@link #kind} decides the HTTP answer and how long the failure is remembered. */
    static final class Failure extends Exception {
        enum Kind {
            /** The server has no reflection service (neither v1 nor v1alpha). */
            NO_REFLECTION,
            /** The endpoint could not be reached, or broke off. */
            UNREACHABLE,
            /** The reflection calls did not finish in time. */
            TIMEOUT,
            /** Answers Pier could not read, or descriptors that do not build. */
            MALFORMED
        }

        final Kind kind;

        Failure(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    /** One way of calling the reflection service: a list of requests in, the answers out (a failed future: a {@link Failure}). */
    interface Transport {
        Future<GrpcClientCall.Reply> call(String path, List<byte[]> requests, long timeoutMs);
    }

    private final Transport transport;
    private final long deadlineNanos;
    private String path = V1;

    private ServerReflection(Transport transport, long timeoutMs) {
        this.transport = transport;
        this.deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000L;
    }

    /** The transport of a data plane event loop: its h2c client, to one endpoint. */
    static Transport over(ProxyServer server, Endpoint endpoint) {
        return (path, requests, timeoutMs) -> {
            Promise<GrpcClientCall.Reply> reply = Promise.promise();
            GrpcClientCall.start(server, server.clients().h2c(), endpoint, path, MultiMap.caseInsensitiveMultiMap(),
                    GrpcFrames.frames(requests), timeoutMs, MAX_ANSWER_BYTES, reply::complete);
            return reply.future();
        };
    }

    /**
     * Every file descriptor the server's services need, keyed by file name; fails with a {@link Failure}.
     * Each step runs on the caller's event loop.
     */
    static Future<Map<String, FileDescriptorProto>> fetch(Transport transport, long timeoutMs) {
        return new ServerReflection(transport, timeoutMs).run();
    }

    private Future<Map<String, FileDescriptorProto>> run() {
        return listServices().compose(services -> {
            List<byte[]> requests = new ArrayList<>(services.size());
            for (String s : services) requests.add(request(REQ_FILE_CONTAINING_SYMBOL, s));
            Map<String, FileDescriptorProto> files = new LinkedHashMap<>();
            return files(requests, files).compose(v -> imports(files, 0)).map(v -> files);
        });
    }

    /** The services' full names; tries v1alpha when v1 is not there. */
    private Future<List<String>> listServices() {
        List<byte[]> list = List.of(request(REQ_LIST_SERVICES, "*"));
        return call(list).compose(reply -> {
            if (reply.code() != Grpc.UNIMPLEMENTED) return Future.succeededFuture(reply);
            path = V1ALPHA;
            return call(list);
        }).compose(reply -> {
            if (reply.code() == Grpc.UNIMPLEMENTED) {
                return Future.failedFuture(new Failure(Failure.Kind.NO_REFLECTION, "the server has no reflection service"
                        + " (grpc.reflection.v1 or v1alpha ServerReflection)"));
            }
            if (reply.code() != 0) return Future.failedFuture(failure(reply));
            try {
                List<String> names = new ArrayList<>();
                for (byte[] answer : reply.messages()) readAnswer(answer, names, null);
                if (names.size() > MAX_SERVICES) {
                    return Future.failedFuture(new Failure(Failure.Kind.MALFORMED, "the server lists " + names.size()
                            + " services, more than " + MAX_SERVICES));
                }
                return Future.succeededFuture(names);
            } catch (IOException e) {
                return Future.failedFuture(new Failure(Failure.Kind.MALFORMED, "unreadable reflection answer: " + e.getMessage()));
            }
        });
    }

    /** Asks for files and adds every file descriptor of the answers to {@code files}. */
    private Future<Void> files(List<byte[]> requests, Map<String, FileDescriptorProto> files) {
        if (requests.isEmpty()) return Future.succeededFuture();
        return call(requests).compose(reply -> {
            if (reply.code() != 0) return Future.failedFuture(failure(reply));
            try {
                for (byte[] answer : reply.messages()) {
                    readAnswer(answer, null, bytes -> {
                        try {
                            FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
                            files.putIfAbsent(file.getName(), file);
                            return null;
                        } catch (InvalidProtocolBufferException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
                return Future.succeededFuture();
            } catch (IOException | UncheckedIOException e) {
                return Future.failedFuture(new Failure(Failure.Kind.MALFORMED, "unreadable reflection answer: " + e.getMessage()));
            }
        });
    }

    /** Asks for imported files no answer brought yet (servers usually send them along), a few rounds at most. */
    private Future<Void> imports(Map<String, FileDescriptorProto> files, int round) {
        Set<String> missing = new LinkedHashSet<>();
        for (FileDescriptorProto f : files.values()) {
            for (String dependency : f.getDependencyList()) {
                if (!files.containsKey(dependency) && !ServiceCatalog.isBundled(dependency)) missing.add(dependency);
            }
        }
        if (missing.isEmpty() || round >= MAX_IMPORT_ROUNDS) return Future.succeededFuture();
        List<byte[]> requests = new ArrayList<>(missing.size());
        for (String name : missing) requests.add(request(REQ_FILE_BY_FILENAME, name));
        int before = files.size();
        return files(requests, files).compose(v -> files.size() == before ? Future.succeededFuture() : imports(files, round + 1));
    }

    private Future<GrpcClientCall.Reply> call(List<byte[]> requests) {
        long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        if (leftMs <= 0) return Future.failedFuture(new Failure(Failure.Kind.TIMEOUT, "server reflection did not finish in time"));
        return transport.call(path, requests, leftMs);
    }

    private static Failure failure(GrpcClientCall.Reply reply) {
        Failure.Kind kind = reply.code() == Grpc.DEADLINE_EXCEEDED ? Failure.Kind.TIMEOUT
                : reply.code() == Grpc.UNAVAILABLE ? Failure.Kind.UNREACHABLE : Failure.Kind.MALFORMED;
        return new Failure(kind, "server reflection failed with gRPC status " + GrpcStatus.name(reply.code())
                + (reply.message().isEmpty() ? "" : ": " + reply.message()));
    }

    /** A ServerReflectionRequest with one string field of its oneof set. */
    static byte[] request(int field, String value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length() + 8);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeString(field, value);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
    }

    /**
     * Reads one ServerReflectionResponse: service names into {@code services}, serialized file
     * descriptors to {@code file}; an error response (a symbol the server does not know) is skipped.
     */
    static void readAnswer(byte[] answer, List<String> services, Function<byte[], Void> file) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(answer);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == RESP_LIST_SERVICES_RESPONSE && services != null) {
                // ListServiceResponse { repeated ServiceResponse service = 1; } ServiceResponse { string name = 1; }
                CodedInputStream list = in.readBytes().newCodedInput();
                for (int t = list.readTag(); t != 0; t = list.readTag()) {
                    if (WireFormat.getTagFieldNumber(t) != 1) {
                        list.skipField(t);
                        continue;
                    }
                    CodedInputStream service = list.readBytes().newCodedInput();
                    for (int u = service.readTag(); u != 0; u = service.readTag()) {
                        if (WireFormat.getTagFieldNumber(u) == 1) services.add(service.readStringRequireUtf8());
                        else service.skipField(u);
                    }
                }
            } else if (field == RESP_FILE_DESCRIPTOR_RESPONSE && file != null) {
                // FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
                CodedInputStream descriptors = in.readBytes().newCodedInput();
                for (int t = descriptors.readTag(); t != 0; t = descriptors.readTag()) {
                    if (WireFormat.getTagFieldNumber(t) == 1) file.apply(descriptors.readByteArray());
                    else descriptors.skipField(t);
                }
            } else {
                in.skipField(tag); // host, original request, error_response (a symbol it cannot find), extensions
            }
        }
    }
}
