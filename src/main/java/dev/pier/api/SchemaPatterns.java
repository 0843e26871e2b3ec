package dev.pier.api;

/** Regular expressions the CRD schema checks; constants because annotations need them at compile time. */
final class SchemaPatterns {
    private SchemaPatterns() {
    }

    /** A lower-case DNS name, optionally with one leading wildcard label ({@code *.example.org}). */
    static final String WILDCARD_HOSTNAME = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** A lower-case DNS name without wildcard. */
    static final String HOSTNAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** An object name (RFC 1123 subdomain), such as a Secret's. */
    static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** An HTTP header name: RFC 9110 token characters. */
    static final String HEADER_NAME = "^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$";

    /** A Service name (RFC 1035 label). */
    static final String DNS_LABEL = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

    /** A namespace name (RFC 1123 label). */
    static final String DNS_LABEL_1123 = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /** A path a resolver is mounted at: absolute, without query or fragment. */
    static final String MOUNT_PATH = "^/[^?#]*$";

    /** A gRPC service name: dot-separated identifiers, package first ({@code helloworld.Greeter}). */
    static final String GRPC_SERVICE = "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$";

    /** A gRPC method name: one identifier. */
    static final String GRPC_METHOD = "^[A-Za-z_][A-Za-z0-9_]*$";
    /** A health-check request target: an absolute path, optionally a query; no fragment, no spaces or controls. */
    static final String HEALTH_CHECK_PATH = "^/[^#\\s\\x00-\\x1f\\x7f]*$";

    /** A path Pier sends requests to: absolute, without query, fragment, spaces or control characters. */
    static final String SINK_PATH = "^/[^?#\\s\\x00-\\x1f\\x7f]*$";

    /** A CloudEvents extension attribute name: lower-case ASCII letters and digits. */
    static final String CLOUDEVENTS_EXTENSION = "^[a-z0-9]+$";

    /** The start of a Service name; it may end in '-' ("api-"). */
    static final String SERVICE_PREFIX = "^([a-z][-a-z0-9]*)?$";
}
