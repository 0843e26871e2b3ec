package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the ALPN protocols a TLS ClientHello offers (RFC 7301) from the first record a client
 * sends, without consuming it: an ACME TLS-ALPN-01 validation (RFC 8737) offers exactly
 * {@value #ACME_TLS_1}, and must be answered with the challenge certificate. Neither engine tells
 * the key manager what was offered when it picks the certificate (BoringSSL asks for it before it
 * negotiates ALPN, and so does the JDK for TLS 1.2), so the offer is read from the bytes first.
 */
final class ClientHelloAlpn {
    static final String ACME_TLS_1 = "acme-tls/1";
    /** The largest record a TLS 1.2/1.3 peer may send (2^14 plaintext; a ClientHello is plaintext). */
    private static final int MAX_RECORD = 16_384;

    /** What the first bytes hold. */
    sealed interface Peek permits NeedMore, Offer {
    }

    /** The first record is not complete yet. */
    record NeedMore() implements Peek {
    }

    /** The protocols offered: empty when none, or when the bytes are not a single-record ClientHello (the engine judges those). */
    record Offer(List<String> protocols) implements Peek {
        Offer {
            protocols = List.copyOf(protocols);
        }

        boolean onlyAcmeTls() {
            return protocols.size() == 1 && protocols.get(0).equals(ACME_TLS_1);
        }
    }

    private static final Peek NEED_MORE = new NeedMore();
    private static final Offer NONE = new Offer(List.of());

    private ClientHelloAlpn() {
    }

    /** Reads from {@code in}'s reader index on; the buffer's indexes are left as they were. */
    static Peek peek(ByteBuf in) {
        int at = in.readerIndex();
        if (in.readableBytes() < 5) return NEED_MORE;
        if (in.getUnsignedByte(at) != 22 || in.getUnsignedByte(at + 1) != 3) return NONE; // not a TLS handshake record
        int recordLength = in.getUnsignedShort(at + 3);
        if (recordLength > MAX_RECORD + 2048) return NONE;
        if (in.readableBytes() < 5 + recordLength) return NEED_MORE;
        try {
            return new Offer(protocols(in, at + 5, at + 5 + recordLength));
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return NONE; // malformed: the engine refuses it with the right alert
        }
    }

    /** The ALPN list of the ClientHello in [{@code from}, {@code end}). */
    private static List<String> protocols(ByteBuf in, int from, int end) {
        int p = from;
        if (in.getUnsignedByte(p) != 1) return List.of(); // handshake type client_hello
        int helloEnd = p + 4 + in.getUnsignedMedium(p + 1);
        if (helloEnd > end) return List.of(); // split over several records: not what a validator sends
        p += 4 + 2 + 32; // header, legacy_version, random
        p += 1 + in.getUnsignedByte(check(p, helloEnd)); // session id
        p += 2 + in.getUnsignedShort(check(p, helloEnd)); // cipher suites
        p += 1 + in.getUnsignedByte(check(p, helloEnd)); // compression methods
        if (p + 2 > helloEnd) return List.of(); // no extensions
        int extensionsEnd = p + 2 + in.getUnsignedShort(p);
        p += 2;
        while (p + 4 <= Math.min(extensionsEnd, helloEnd)) {
            int type = in.getUnsignedShort(p);
            int length = in.getUnsignedShort(p + 2);
            p += 4;
            if (type == 16) return names(in, p, Math.min(p + length, helloEnd)); // application_layer_protocol_negotiation
            p += length;
        }
        return List.of();
    }

    private static List<String> names(ByteBuf in, int from, int end) {
        int listEnd = Math.min(from + 2 + in.getUnsignedShort(check(from, end)), end);
        List<String> out = new ArrayList<>();
        for (int p = from + 2; p < listEnd; ) {
            int length = in.getUnsignedByte(p);
            if (length == 0 || p + 1 + length > listEnd) throw new IllegalArgumentException("bad ALPN name");
            out.add(in.toString(p + 1, length, StandardCharsets.US_ASCII));
            p += 1 + length;
        }
        return out;
    }

    private static int check(int position, int end) {
        if (position >= end) throw new IndexOutOfBoundsException(position);
        return position;
    }
}
