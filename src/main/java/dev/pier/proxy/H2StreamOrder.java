package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * Reads the frame headers a client sends on an HTTP/2 connection and finds the HEADERS frames
 * that RFC 9113 makes connection errors but Netty answers with a stream reset (it cannot tell
 * them apart without history): a new stream id lower than one already used (PROTOCOL_ERROR,
 * section 5.1.1) and HEADERS on a stream the client already ended or reset (STREAM_CLOSED,
 * section 5.1). Trailers on a stream still open are fine. Memory is bounded: streams still open
 * are capped, and the ids ever opened are kept as ranges (a capped number).
 */
final class H2StreamOrder {
    static final int PROTOCOL_ERROR = 0x1;
    static final int STREAM_CLOSED = 0x5;
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int END_STREAM = 0x1;
    private static final int MAX_RANGES = 1024;

    private final int maxOpen;
    private final byte[] header = new byte[9];
    private int headerFill;
    private long payloadLeft;
    private int maxStream;
    /** Streams the client opened and has not ended or reset. */
    private final TreeSet<Integer> open = new TreeSet<>();
    /** Ids the client opened, as inclusive ranges of odd ids. */
    private int[] rangeStart = new int[4];
    private int[] rangeEnd = new int[4];
    private int ranges;

    /** @param maxOpen streams tracked as open at most (beyond it the oldest are forgotten) */
    H2StreamOrder(int maxOpen) {
        this.maxOpen = maxOpen;
    }

    /** The highest stream id the client opened (a GOAWAY's last stream id). */
    int lastStream() {
        return maxStream;
    }

    /** Stream 1 was the HTTP/1.1 request that asked for h2c: opened and ended by the client. */
    void upgraded() {
        opened(1);
        maxStream = 1;
    }

    /** Reads {@code buf}'s readable bytes (without consuming them); returns 0, or the error code of a connection error. */
    int feed(ByteBuf buf) {
        return feed(buf, buf.readerIndex());
    }

    /** {@link #feed(ByteBuf)} from index {@code from} on. */
    int feed(ByteBuf buf, int from) {
        int i = from;
        int end = buf.writerIndex();
        while (i < end) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                i += n;
                payloadLeft -= n;
                continue;
            }
            header[headerFill++] = buf.getByte(i++);
            if (headerFill < header.length) continue;
            headerFill = 0;
            payloadLeft = ((header[0] & 0xffL) << 16) | ((header[1] & 0xffL) << 8) | (header[2] & 0xffL);
            int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
            int error = frame(header[3] & 0xff, header[4] & 0xff, stream);
            if (error != 0) return error;
        }
        return 0;
    }

    private int frame(int type, int flags, int stream) {
        if (stream == 0) return 0;
        boolean ends = (flags & END_STREAM) != 0;
        switch (type) {
            case HEADERS -> {
                if ((stream & 1) == 0) return 0; // an even id from a client: Netty's error to give
                if (stream > maxStream) {
                    opened(stream);
                    maxStream = stream;
                    if (!ends) {
                        open.add(stream);
                        if (open.size() > maxOpen) open.pollFirst();
                    }
                    return 0;
                }
                if (open.contains(stream)) { // trailers
                    if (ends) open.remove(stream);
                    return 0;
                }
                return wasOpened(stream) ? STREAM_CLOSED : PROTOCOL_ERROR;
            }
            case DATA -> {
                if (ends) open.remove(stream);
                return 0;
            }
            case RST_STREAM -> {
                open.remove(stream);
                return 0;
            }
            default -> {
                return 0;
            }
        }
    }

    private void opened(int stream) {
        if (ranges > 0 && rangeEnd[ranges - 1] == stream - 2) {
            rangeEnd[ranges - 1] = stream;
            return;
        }
        if (ranges == MAX_RANGES) { // too many gaps to remember: forget the oldest gap (reported as STREAM_CLOSED)
            rangeEnd[0] = rangeEnd[1];
            System.arraycopy(rangeStart, 2, rangeStart, 1, ranges - 2);
            System.arraycopy(rangeEnd, 2, rangeEnd, 1, ranges - 2);
            ranges--;
        }
        if (ranges == rangeStart.length) {
            rangeStart = Arrays.copyOf(rangeStart, ranges * 2);
            rangeEnd = Arrays.copyOf(rangeEnd, ranges * 2);
        }
        rangeStart[ranges] = stream;
        rangeEnd[ranges] = stream;
        ranges++;
    }

    private boolean wasOpened(int stream) {
        int lo = 0;
        int hi = ranges - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (rangeEnd[mid] < stream) lo = mid + 1;
            else if (rangeStart[mid] > stream) hi = mid - 1;
            else return true;
        }
        return false;
    }
}
