package dev.pier.proxy;

/**
 * Why the edge refuses a request before it reaches routing: the status Pier answers (the
 * connection is closed after it) and a short reason of Pier's own words, never the client's bytes.
 */
final class EdgeRejection extends RuntimeException {
    final int status;

    EdgeRejection(int status, String reason) {
        super(reason, null, false, false); // no stack: a rejection is an answer, not a bug
        this.status = status;
    }
}
