package dev.pier.proxy;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC's message framing ("gRPC over HTTP/2": a 1-byte compressed flag, a 4-byte big-endian
 * length, the message), for Pier's own gRPC calls: the rpc handler's and server reflection's.
 * Pier never asks for compression (no {@code grpc-accept-encoding}), so a compressed message is an error.
 */
final class GrpcFrames {
    private GrpcFrames() {
    }

    static Buffer frame(byte[] message) {
        return Buffer.buffer(5 + message.length).appendByte((byte) 0).appendInt(message.length).appendBytes(message);
    }

    /** Frames several messages into one buffer, in order. */
    static Buffer frames(List<byte[]> messages) {
        Buffer out = Buffer.buffer();
        for (byte[] m : messages) out.appendByte((byte) 0).appendInt(m.length).appendBytes(m);
        return out;
    }

    /** A response stream that does not read as gRPC messages. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads messages out of a response body arriving in chunks; the body as a whole is bounded by its reader. */
    static final class Reader {
        private Buffer pending = Buffer.buffer();
        private final List<byte[]> messages = new ArrayList<>(1);

        /** Adds a chunk; complete messages are taken out of it. */
        void add(Buffer chunk) throws Malformed {
            pending = pending.length() == 0 ? chunk.copy() : pending.appendBuffer(chunk);
            int at = 0;
            while (pending.length() - at >= 5) {
                byte flag = pending.getByte(at);
                if (flag != 0) throw new Malformed(flag == 1 ? "a compressed message, though Pier asked for none"
                        : "a message with flag " + flag);
                long length = pending.getUnsignedInt(at + 1);
                if (pending.length() - at - 5 < length) break;
                messages.add(pending.getBytes(at + 5, at + 5 + (int) length));
                at += 5 + (int) length;
            }
            if (at > 0) pending = pending.getBuffer(at, pending.length());
        }

        /** The messages read, once the stream ended; a partial message left over is an error. */
        List<byte[]> finish() throws Malformed {
            if (pending.length() != 0) throw new Malformed("the stream ended inside a message");
            return messages;
        }
    }
}
