package dev.pier.proxy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address), for trusted proxies. */
public record Cidr(byte[] network, int prefixLength) {
    public Cidr {
        network = network.clone();
        if (prefixLength < 0 || prefixLength > network.length * 8) throw new IllegalArgumentException("prefix length out of range");
    }

    /** Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address (all its bits); only literal addresses, never a name. */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address); // literals only, never a lookup
        if (bytes == null) throw new IllegalArgumentException("not an IP address: " + text);
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            if (prefix < 0 || prefix > bytes.length * 8) throw new IllegalArgumentException("bad prefix length in " + text);
        }
        return new Cidr(bytes, prefix);
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** Whether the address with these bytes (4 or 16; an IPv4-mapped IPv6 address counts as IPv4) is in the block. */
    public boolean contains(byte[] a) {
        if (a.length != network.length) {
            if (a.length == 16 && network.length == 4 && isV4Mapped(a)) a = java.util.Arrays.copyOfRange(a, 12, 16);
            else return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
        int rest = prefixLength % 8;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixLength;
    }
}
