package dev.pier.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * How the rpc handler reads a path, as Micro's RPC resolver does: the last two segments name the
 * method ({@code Service.Method}, each camel-cased at dashes), the segments before them the
 * Service (joined with dashes); with two segments the first names both the Service and the gRPC
 * service; one segment calls {@code Name.Call}; with versioning, {@code /v1/foo/bar} names Service
 * {@code v1-foo}, method {@code Foo.Bar}.
 *
 * <pre>
 * /foo           foo       Foo.Call
 * /foo/bar       foo       Foo.Bar
 * /foo/bar/baz   foo       Bar.Baz
 * /foo/bar/baz/cat  foo-bar  Baz.Cat
 * /v1/foo/bar    v1-foo    Foo.Bar   (versioned; else v1, Foo.Bar)
 * </pre>
 */
final class RpcPath {
    private RpcPath() {
    }

    /**
     * What a path names.
     *
     * @param service    the Service name the path yields (without the resolver's servicePrefix)
     * @param grpcService the gRPC service's simple name ({@code Greeter}), matched against reflection
     * @param method     the method name ({@code SayHello})
     */
    record Call(String service, String grpcService, String method) {
        /** As Micro writes it: {@code Greeter.SayHello}. */
        String endpoint() {
            return grpcService + "." + method;
        }
    }

    /**
     * @param path the path after the resolver's mount, normalised ({@link PathNormalizer})
     * @return what it names, or null when it names nothing (no segment, or a method part that is not an identifier)
     */
    static Call parse(String path, boolean versioned) {
        List<String> parts = segments(path);
        int n = parts.size();
        if (n == 0) return null;
        List<String> service;
        List<String> method;
        if (n == 1) {
            service = parts;
            method = List.of(parts.get(0), "call");
        } else if (n == 2) {
            service = parts.subList(0, 1);
            method = parts;
        } else if (n == 3 && versioned && ResolverNaming.isVersion(parts.get(0))) {
            service = parts.subList(0, 2);
            method = parts.subList(1, 3);
        } else {
            service = parts.subList(0, n - 2);
            method = parts.subList(n - 2, n);
        }
        String grpcService = camel(method.get(0));
        String methodName = camel(method.get(1));
        if (grpcService == null || methodName == null) return null;
        StringBuilder name = new StringBuilder();
        for (String s : service) {
            if (name.length() > 0) name.append('-');
            name.append(s.replace('.', '-'));
        }
        return new Call(name.toString(), grpcService, methodName);
    }

    /** The path's segments; a trailing slash adds none. */
    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>(4);
        int start = 1;
        while (start < path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) end = path.length();
            if (end > start) out.add(path.substring(start, end));
            start = end + 1;
        }
        return out;
    }

    /**
     * Micro's method naming: split at dashes, each word's first letter upper-cased, joined
     * ({@code say-hello} and {@code sayHello} give {@code SayHello}); null unless the result is an identifier.
     */
    static String camel(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        boolean wordStart = true;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '-') {
                wordStart = true;
                continue;
            }
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            if (!letter && !digit) return null;
            if (out.length() == 0 && digit) return null;
            out.append(wordStart && c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
            wordStart = false;
        }
        return out.length() == 0 ? null : out.toString();
    }
}
