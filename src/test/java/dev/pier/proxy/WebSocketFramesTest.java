package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frame boundaries found from headers alone, whatever the payload sizes and however the bytes are chunked. */
class WebSocketFramesTest {

    /** A frame with {@code payload} bytes: 7-bit, 16-bit or 64-bit length as RFC 6455 requires; masked if asked. */
    static Buffer frame(int payload, boolean masked) {
        Buffer b = Buffer.buffer();
        b.appendByte((byte) 0x82); // FIN + binary
        int maskBit = masked ? 0x80 : 0;
        if (payload < 126) {
            b.appendByte((byte) (maskBit | payload));
        } else if (payload <= 0xffff) {
            b.appendByte((byte) (maskBit | 126)).appendUnsignedShort(payload);
        } else {
            b.appendByte((byte) (maskBit | 127)).appendLong(payload);
        }
        if (masked) b.appendInt(0x11223344);
        // Payload bytes that look like frame headers must not confuse the reader.
        for (int i = 0; i < payload; i++) b.appendByte((byte) (i % 3 == 0 ? 0x88 : 0x7f));
        return b;
    }

    private static final int[] SIZES = {0, 1, 125, 126, 127, 65535, 65536, 70000};

    private static List<Integer> frameEnds(List<Buffer> frames) {
        List<Integer> ends = new ArrayList<>();
        int at = 0;
        for (Buffer f : frames) {
            at += f.length();
            ends.add(at);
        }
        return ends;
    }

    /** Feeds the chunks in order; returns each stream offset where the reader stands at a frame end. */
    private static List<Integer> boundaries(List<Buffer> chunks) {
        WebSocketFrames reader = new WebSocketFrames();
        List<Integer> found = new ArrayList<>();
        int offset = 0;
        for (Buffer chunk : chunks) {
            int i = 0;
            while (i < chunk.length()) {
                if (reader.atBoundary()) {
                    reader.advance(chunk.slice(i, i + 1)); // one byte into the next frame
                    i++;
                } else {
                    i = reader.toBoundary(chunk, i);
                }
                if (reader.atBoundary()) found.add(offset + i);
            }
            offset += chunk.length();
        }
        return found;
    }

    private static List<Buffer> frames() {
        List<Buffer> frames = new ArrayList<>();
        for (int size : SIZES) {
            frames.add(frame(size, false));
            frames.add(frame(size, true));
        }
        return frames;
    }

    @Test
    void boundariesAreTheFrameEndsForEveryLengthEncoding() {
        Buffer stream = Buffer.buffer();
        frames().forEach(stream::appendBuffer);
        assertThat(boundaries(List.of(stream))).isEqualTo(frameEnds(frames()));
    }

    @Test
    void anyChunkingGivesTheSameBoundaries() {
        Buffer stream = Buffer.buffer();
        frames().forEach(stream::appendBuffer);
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<Buffer> chunks = new ArrayList<>();
            for (int at = 0; at < stream.length(); ) {
                int size = 1 + random.nextInt(round % 2 == 0 ? 20 : 40_000);
                chunks.add(stream.slice(at, Math.min(stream.length(), at + size)));
                at += size;
            }
            assertThat(boundaries(chunks)).as("round %d", round).isEqualTo(frameEnds(frames()));
        }
    }

    @Test
    void theGoingAwayFrameIsAnUnmaskedCloseWithStatus1001() {
        Buffer close = WebSocketFrames.GOING_AWAY;
        assertThat(close.getByte(0) & 0xff).isEqualTo(0x88);
        assertThat(close.getByte(1)).isEqualTo((byte) 2);
        assertThat(close.getUnsignedShort(2)).isEqualTo(1001);
        WebSocketFrames reader = new WebSocketFrames();
        reader.advance(close);
        assertThat(reader.atBoundary()).isTrue();
    }
}
