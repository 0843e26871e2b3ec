package dev.pier.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a namespace resolver does with a request once the path named a Service (the Micro API
 * gateway's handlers, in Kubernetes terms): {@link Forward} it (Micro's {@code http} and
 * {@code web}), call a gRPC method with its JSON body ({@link Rpc}), or publish it as a CloudEvent
 * to a sink Service ({@link Event}).
 */
public sealed interface ResolverHandler {
    ResolverHandler FORWARD = new Forward();
    ResolverHandler RPC = new Rpc();

    /** A path Pier may send a request to: absolute, no query, fragment, spaces or control characters. */
    Pattern SINK_PATH = Pattern.compile("/[^?#\\s\\x00-\\x1f\\x7f]*");

    /** Forward the request (websockets included) to the named Service: the resolver as it always was. */
    record Forward() implements ResolverHandler {}

    /**
     * JSON to gRPC: the path names the Service and the method as Micro's RPC resolver does; the
     * method is found by the backend's server reflection.
     */
    record Rpc() implements ResolverHandler {}

    /**
     * {@code POST /<topic>/<event>} becomes a CloudEvent (HTTP binary mode) POSTed to {@code sinkPath} of
     * {@code sink}, spoken to as {@code sinkProtocol} says. {@code source} is the CloudEvents {@code source}
     * attribute (the route); {@code extensions} are the request headers carried as extension attributes.
     */
    record Event(ServiceKey sink, String sinkPath, BackendProtocol sinkProtocol, String source,
                 List<EventExtension> extensions) implements ResolverHandler {
        public Event {
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(sinkPath, "sinkPath");
            if (!SINK_PATH.matcher(sinkPath).matches())
                throw new IllegalArgumentException("event sink path \"" + sinkPath + "\" is not an absolute path");
            Objects.requireNonNull(sinkProtocol, "sinkProtocol");
            Objects.requireNonNull(source, "source");
            if (source.isEmpty()) throw new IllegalArgumentException("event source is empty");
            extensions = List.copyOf(extensions);
            Set<String> attributes = new HashSet<>();
            for (EventExtension e : extensions) {
                if (!attributes.add(e.attribute()))
                    throw new IllegalArgumentException("event extension \"" + e.attribute() + "\" named twice");
            }
        }
    }

    /**
     * A request header carried as a CloudEvents extension attribute: its value goes to the sink in
     * header {@code ce-<attribute>}. The attribute is a valid extension name (lower-case letters and
     * digits, at most 20) and none of the attributes the CloudEvents spec defines.
     */
    record EventExtension(String header, String attribute) {
        /** CloudEvents 1.0 attribute names an extension may not take (context attributes and data). */
        public static final Set<String> RESERVED = Set.of("specversion", "id", "source", "type", "subject", "time",
                "datacontenttype", "dataschema", "data", "data_base64");
        public static final Pattern NAME = Pattern.compile("[a-z0-9]{1,20}");
        private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+");

        /** An HTTP header name (RFC 9110 token). */
        public static boolean isHeaderName(String name) {
            return TOKEN.matcher(name).matches();
        }

        public EventExtension {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(attribute, "attribute");
            if (!isHeaderName(header)) throw new IllegalArgumentException("\"" + header + "\" is not a header name");
            if (!NAME.matcher(attribute).matches() || RESERVED.contains(attribute))
                throw new IllegalArgumentException("\"" + attribute + "\" is not a CloudEvents extension name");
        }
    }
}
