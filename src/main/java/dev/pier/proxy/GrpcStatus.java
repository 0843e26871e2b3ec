package dev.pier.proxy;

/**
 * gRPC status codes as the rpc handler shows them to HTTP clients: their names, and the HTTP
 * status of each as grpc-gateway maps them ({@code runtime.HTTPStatusFromCode}), so a JSON client
 * of Pier sees what a client of grpc-gateway sees.
 */
final class GrpcStatus {
    private static final String[] NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
            "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    private static final int[] HTTP = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401};

    static final int OK = 0;
    static final int INVALID_ARGUMENT = 3;
    static final int NOT_FOUND = 5;

    private GrpcStatus() {
    }

    /** {@code NOT_FOUND} for 5; a code gRPC does not define is shown as its number. */
    static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : Integer.toString(code);
    }

    /** The HTTP status of a gRPC status; one gRPC does not define is 500, as grpc-gateway has it. */
    static int httpStatus(int code) {
        return code >= 0 && code < HTTP.length ? HTTP[code] : 500;
    }
}
