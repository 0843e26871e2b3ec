package dev.pier.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * Follows the frame boundaries of one direction of a websocket (RFC 6455 5.2) by reading frame
 * headers only; payloads are skipped, never copied. A tunnel needs this to put a close frame
 * between two frames rather than inside one.
 */
final class WebSocketFrames {
    /** A server-to-client close frame, unmasked: status 1001 (going away), no reason text. */
    static final Buffer GOING_AWAY = Buffer.buffer(new byte[] {(byte) 0x88, 0x02, 0x03, (byte) 0xE9});

    private final byte[] header = new byte[14]; // 2 + 8 (64-bit length) + 4 (mask key) at most
    private int headerBytes;
    private long payloadLeft;

    /** Whether the bytes seen so far end exactly at the end of a frame. */
    boolean atBoundary() {
        return headerBytes == 0 && payloadLeft == 0;
    }

    /** Reads all of {@code chunk}. */
    void advance(Buffer chunk) {
        scan(chunk, 0, false);
    }

    /**
     * Reads {@code chunk} from {@code from} up to the first frame boundary and returns the index
     * there ({@code from} itself when already at one; {@code chunk.length()} when no frame ends in it).
     */
    int toBoundary(Buffer chunk, int from) {
        return scan(chunk, from, true);
    }

    private int scan(Buffer chunk, int from, boolean stopAtBoundary) {
        int length = chunk.length();
        int i = from;
        while (i < length) {
            if (stopAtBoundary && atBoundary()) return i;
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, length - i);
                i += skip;
                payloadLeft -= skip;
                continue;
            }
            header[headerBytes++] = chunk.getByte(i++);
            if (headerBytes == headerLength()) {
                payloadLeft = payloadLength();
                headerBytes = 0;
            }
        }
        return i;
    }

    /** The length of the header being read, as far as its first two bytes tell. */
    private int headerLength() {
        if (headerBytes < 2) return 2;
        int length7 = header[1] & 0x7f;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private long payloadLength() {
        int length7 = header[1] & 0x7f;
        if (length7 < 126) return length7;
        int bytes = length7 == 126 ? 2 : 8;
        long length = 0;
        for (int k = 0; k < bytes; k++) length = (length << 8) | (header[2 + k] & 0xff);
        return length & Long.MAX_VALUE; // RFC 6455: the most significant bit must be 0
    }
}
