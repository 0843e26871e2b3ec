package dev.pier.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.Api;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.SourceContext;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Type;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.Int32Value;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gRPC services of one endpoint, as its server reflection describes them: built once per
 * endpoint (off the event loops), immutable, shared by every event loop. It finds a method by the
 * service's simple name ({@code Greeter}, as Micro's paths name it) or full name
 * ({@code helloworld.Greeter}), and holds the proto3 JSON parser and printer that know every
 * message type of the endpoint (for {@code google.protobuf.Any}).
 */
final class ServiceCatalog {
    /** Files protobuf-java carries itself: a server that imports them need not send them. */
    private static final Map<String, FileDescriptor> BUNDLED = bundled();

    private final Map<String, List<ServiceDescriptor>> bySimpleName;
    private final Map<String, ServiceDescriptor> byFullName;
    final JsonFormat.Parser parser;
    final JsonFormat.Printer printer;
    /** When it was fetched ({@link System#nanoTime}): a miss on an old catalog may fetch it again. */
    final long fetchedNanos;

    private ServiceCatalog(List<ServiceDescriptor> services, TypeRegistry types, long fetchedNanos) {
        Map<String, List<ServiceDescriptor>> simple = new HashMap<>();
        Map<String, ServiceDescriptor> full = new TreeMap<>();
        for (ServiceDescriptor s : services) {
            simple.computeIfAbsent(s.getName(), k -> new ArrayList<>(1)).add(s);
            full.put(s.getFullName(), s);
        }
        this.bySimpleName = simple;
        this.byFullName = full;
        // Unknown JSON fields are an error (a typo is answered 400, not dropped); grpc-gateway's
        // printing: every field, defaults too, with proto3 JSON names.
        this.parser = JsonFormat.parser().usingTypeRegistry(types);
        this.printer = JsonFormat.printer().usingTypeRegistry(types).alwaysPrintFieldsWithNoPresence()
                .omittingInsignificantWhitespace();
        this.fetchedNanos = fetchedNanos;
    }

    static boolean isBundled(String fileName) {
        return BUNDLED.containsKey(fileName);
    }

    /**
     * Builds the descriptors of {@code files} (each after the files it imports). A file that does not
     * build, or imports one nobody sent, is left out with its services; if nothing builds, that is a failure.
     */
    static ServiceCatalog build(Map<String, FileDescriptorProto> files, long fetchedNanos) throws ServerReflection.Failure {
        Map<String, FileDescriptor> built = new HashMap<>();
        List<String> failures = new ArrayList<>();
        for (String name : files.keySet()) buildFile(name, files, built, failures, 0);
        List<ServiceDescriptor> services = new ArrayList<>();
        TypeRegistry.Builder types = TypeRegistry.newBuilder();
        for (String name : files.keySet()) {
            FileDescriptor f = built.get(name);
            if (f == null) continue;
            services.addAll(f.getServices());
            types.add(f.getMessageTypes());
        }
        if (services.isEmpty() && !failures.isEmpty()) {
            throw new ServerReflection.Failure(ServerReflection.Failure.Kind.MALFORMED,
                    "the server's descriptors do not build: " + String.join("; ", failures));
        }
        return new ServiceCatalog(services, types.build(), fetchedNanos);
    }

    private static FileDescriptor buildFile(String name, Map<String, FileDescriptorProto> files, Map<String, FileDescriptor> built,
                                            List<String> failures, int depth) {
        FileDescriptor done = built.get(name);
        if (done != null) return done;
        FileDescriptorProto proto = files.get(name);
        if (proto == null) return BUNDLED.get(name);
        if (depth > 64) {
            failures.add(name + ": imports nest too deep (a cycle?)");
            return null;
        }
        List<FileDescriptor> dependencies = new ArrayList<>(proto.getDependencyCount());
        for (String dependency : proto.getDependencyList()) {
            FileDescriptor d = buildFile(dependency, files, built, failures, depth + 1);
            if (d == null) {
                failures.add(name + ": imports " + dependency + ", which the server did not send");
                return null;
            }
            dependencies.add(d);
        }
        try {
            FileDescriptor f = FileDescriptor.buildFrom(proto, dependencies.toArray(new FileDescriptor[0]));
            built.put(name, f);
            return f;
        } catch (Descriptors.DescriptorValidationException e) {
            failures.add(name + ": " + e.getMessage());
            return null;
        }
    }

    /** What looking a method up found. */
    sealed interface Lookup {
        record Found(MethodDescriptor method) implements Lookup {}

        /** No service of that name; {@code known} lists the endpoint's services (full names). */
        record NoService(List<String> known) implements Lookup {}

        /** The service exists without that method; {@code known} lists its methods. */
        record NoMethod(String service, List<String> known) implements Lookup {}

        /** Several packages have a service of that simple name. */
        record Ambiguous(List<String> services) implements Lookup {}
    }

    /**
     * @param service the service's simple name, or its full name (with the package)
     * @param method  the method's name
     */
    Lookup find(String service, String method) {
        ServiceDescriptor s = byFullName.get(service);
        if (s == null) {
            List<ServiceDescriptor> candidates = bySimpleName.get(service);
            if (candidates == null) return new Lookup.NoService(List.copyOf(byFullName.keySet()));
            if (candidates.size() > 1) {
                return new Lookup.Ambiguous(candidates.stream().map(ServiceDescriptor::getFullName).sorted().toList());
            }
            s = candidates.get(0);
        }
        MethodDescriptor m = s.findMethodByName(method);
        if (m == null) return new Lookup.NoMethod(s.getFullName(), s.getMethods().stream().map(MethodDescriptor::getName).toList());
        return new Lookup.Found(m);
    }

    private static Map<String, FileDescriptor> bundled() {
        Map<String, FileDescriptor> out = new HashMap<>();
        for (FileDescriptor f : List.of(Any.getDescriptor().getFile(), Api.getDescriptor().getFile(),
                Duration.getDescriptor().getFile(), Empty.getDescriptor().getFile(), FieldMask.getDescriptor().getFile(),
                SourceContext.getDescriptor().getFile(), Struct.getDescriptor().getFile(), Timestamp.getDescriptor().getFile(),
                Type.getDescriptor().getFile(), Int32Value.getDescriptor().getFile(),
                DescriptorProtos.getDescriptor())) {
            out.put(f.getName(), f);
        }
        return Map.copyOf(out);
    }
}
