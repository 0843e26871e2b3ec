package dev.pier.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Headers that belong to one connection (RFC 9110 7.6.1) and never cross the proxy. */
final class HopByHop {
    private HopByHop() {
    }

    static boolean is(String name) {
        switch (name.length()) {
            case 2:
                return name.equalsIgnoreCase("te");
            case 7:
                return name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10:
                return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive")
                        || name.regionMatches(true, 0, "proxy-", 0, 6);
            case 17:
                return name.equalsIgnoreCase("transfer-encoding") || name.regionMatches(true, 0, "proxy-", 0, 6);
            default:
                return name.length() > 6 && name.regionMatches(true, 0, "proxy-", 0, 6);
        }
    }

    /** @return extra header names the Connection header lists (lower-case), or null when none */
    static List<String> namedByConnection(MultiMap headers) {
        return namedByConnection(headers.getAll(HttpHeaders.CONNECTION));
    }

    private static List<String> namedByConnection(List<String> connectionValues) {
        List<String> named = null;
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(java.util.Locale.ROOT);
                if (t.isEmpty() || t.equals("close") || t.equals("keep-alive") || t.equals("upgrade")) continue;
                if (named == null) named = new ArrayList<>(2);
                named.add(t);
            }
        }
        return named;
    }

    /**
     * What a proxy in front added about the client: a client's {@code Connection} header must not
     * make Pier drop them (they are replaced unless the peer is a trusted proxy).
     */
    private static final String[] NEVER_NAMED = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "x-real-ip", "forwarded"};

    /**
     * Copies end-to-end headers from {@code from} into {@code to}, leaving out hop-by-hop ones,
     * those the Connection header names (never the forwarded headers), HTTP/2 pseudo-headers, and {@code skip} (names set by the caller).
     */
    static void copy(MultiMap from, MultiMap to, String... skip) {
        copy(from, from.contains(HttpHeaders.CONNECTION) ? namedByConnection(from) : null, to, skip);
    }

    /** {@link #copy(MultiMap, MultiMap, String...)} from Netty's headers (a response read by {@link BackendConnection}). */
    static void copy(io.netty.handler.codec.http.HttpHeaders from, MultiMap to, String... skip) {
        copy(from, from.contains(HttpHeaders.CONNECTION) ? namedByConnection(from.getAll(HttpHeaders.CONNECTION)) : null, to, skip);
    }

    private static void copy(Iterable<Map.Entry<String, String>> from, List<String> named, MultiMap to, String... skip) {
        for (Map.Entry<String, String> e : from) {
            String name = e.getKey();
            if (name.isEmpty() || name.charAt(0) == ':' || is(name)) continue;
            if (named != null && contains(named, name) && !containsIgnoreCase(NEVER_NAMED, name)) continue;
            if (skip.length > 0 && containsIgnoreCase(skip, name)) continue;
            to.add(name, e.getValue());
        }
    }

    private static boolean contains(List<String> lowerNames, String name) {
        for (String n : lowerNames) if (n.equalsIgnoreCase(name)) return true;
        return false;
    }

    private static boolean containsIgnoreCase(String[] names, String name) {
        for (String n : names) if (n.equalsIgnoreCase(name)) return true;
        return false;
    }
}
