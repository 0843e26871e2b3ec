package dev.pier.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Headers that belong to one connection (RFC 9110 7.6.1) and never cross the proxy. */
final class HopByHop {
    private HopByHop() {
    }

    static boolean is(CharSequence name) {
        switch (name.length()) {
            case 2:
                return equalsIgnoreCase(name, "te");
            case 7:
                return equalsIgnoreCase(name, "trailer") || equalsIgnoreCase(name, "upgrade");
            case 10:
                return equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive") || proxyPrefixed(name);
            case 17:
                return equalsIgnoreCase(name, "transfer-encoding") || proxyPrefixed(name);
            default:
                return name.length() > 6 && proxyPrefixed(name);
        }
    }

    private static boolean equalsIgnoreCase(CharSequence name, String lower) {
        return AsciiString.contentEqualsIgnoreCase(name, lower);
    }

    private static boolean proxyPrefixed(CharSequence name) {
        return AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6);
    }

    /** @return extra header names the Connection header lists (lower-case), or null when none */
    static List<String> namedByConnection(MultiMap headers) {
        List<String> named = null;
        for (String value : headers.getAll(HttpHeaders.CONNECTION)) named = namedIn(value, named);
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
        if (from instanceof io.netty.handler.codec.http.HttpHeaders netty) { // HTTP/1's headers: see below
            copy(netty, to, skip);
            return;
        }
        List<String> named = null;
        if (from.contains(HttpHeaders.CONNECTION)) {
            for (String value : from.getAll(HttpHeaders.CONNECTION)) named = namedIn(value, named);
        }
        for (Map.Entry<String, String> e : from) {
            if (crosses(e.getKey(), named, skip)) to.add(e.getKey(), e.getValue());
        }
    }

    /**
     * {@link #copy(MultiMap, MultiMap, String...)} from Netty's headers (an HTTP/1 request as Vert.x
     * decodes it, a response read by {@link BackendConnection}): names and values cross as the
     * decoder made them, without a String copy of each name and an entry object per field.
     */
    static void copy(io.netty.handler.codec.http.HttpHeaders from, MultiMap to, String... skip) {
        List<String> named = null;
        if (from.contains(HttpHeaders.CONNECTION)) {
            for (Iterator<? extends CharSequence> it = from.valueCharSequenceIterator(HttpHeaders.CONNECTION); it.hasNext(); ) {
                named = namedIn(it.next(), named);
            }
        }
        // An HTTP/2 response's headers: Netty's HTTP/1 decoder has validated names and values, so they go in
        // directly with a lower-case name (a shared constant for the common ones) instead of through Vert.x's
        // add, which validates each again and copies each mixed-case name into a new String.
        Http2Headers h2 = to instanceof io.vertx.core.http.impl.headers.HttpHeaders v && v.unwrap() instanceof Http2Headers h
                ? h : null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!crosses(e.getKey(), named, skip)) continue;
            if (h2 != null) h2.add(lowerCaseName(e.getKey()), e.getValue());
            else to.add(e.getKey(), e.getValue());
        }
    }

    /** Response header names backends commonly send, lower-case, by their case-insensitive hash (open addressing). */
    private static final AsciiString[] COMMON_NAMES = new AsciiString[64];

    static {
        for (AsciiString name : new AsciiString[] {HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_LENGTH,
                HttpHeaderNames.DATE, HttpHeaderNames.SERVER, HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.ETAG,
                HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.VARY,
                HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.EXPIRES, HttpHeaderNames.LOCATION, HttpHeaderNames.SET_COOKIE,
                HttpHeaderNames.CONTENT_LANGUAGE, HttpHeaderNames.CONTENT_DISPOSITION, HttpHeaderNames.AGE,
                HttpHeaderNames.PRAGMA, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, AsciiString.cached("strict-transport-security"),
                HttpHeaderNames.X_FRAME_OPTIONS, HttpHeaderNames.CONTENT_RANGE, HttpHeaderNames.WWW_AUTHENTICATE}) {
            int i = AsciiString.hashCode(name) & (COMMON_NAMES.length - 1);
            while (COMMON_NAMES[i] != null) i = (i + 1) & (COMMON_NAMES.length - 1);
            COMMON_NAMES[i] = name;
        }
    }

    /** {@code name} in lower case, as HTTP/2 requires: a shared constant for a common name, else a new AsciiString. */
    static AsciiString lowerCaseName(CharSequence name) {
        for (int i = AsciiString.hashCode(name) & (COMMON_NAMES.length - 1); COMMON_NAMES[i] != null;
                i = (i + 1) & (COMMON_NAMES.length - 1)) {
            if (COMMON_NAMES[i].contentEqualsIgnoreCase(name)) return COMMON_NAMES[i];
        }
        return AsciiString.of(name).toLowerCase();
    }

    private static boolean crosses(CharSequence name, List<String> named, String[] skip) {
        if (name.length() == 0 || name.charAt(0) == ':' || is(name)) return false;
        if (named != null && contains(named, name) && !containsIgnoreCase(NEVER_NAMED, name)) return false;
        return skip.length == 0 || !containsIgnoreCase(skip, name);
    }

    /** Adds to {@code named} the extra names one Connection value lists (lower-case); no allocation for close/keep-alive/upgrade. */
    private static List<String> namedIn(CharSequence value, List<String> named) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            int end = i;
            while (end < n && value.charAt(end) != ',') end++;
            int from = i;
            int to = end;
            while (from < to && isSpace(value.charAt(from))) from++;
            while (to > from && isSpace(value.charAt(to - 1))) to--;
            int len = to - from;
            if (len > 0 && !tokenIs(value, from, len, "close") && !tokenIs(value, from, len, "keep-alive")
                    && !tokenIs(value, from, len, "upgrade")) {
                if (named == null) named = new ArrayList<>(2);
                named.add(value.subSequence(from, to).toString().toLowerCase(java.util.Locale.ROOT));
            }
            i = end + 1;
        }
        return named;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean tokenIs(CharSequence value, int from, int len, String token) {
        return len == token.length() && AsciiString.regionMatches(value, true, from, token, 0, len);
    }

    private static boolean contains(List<String> lowerNames, CharSequence name) {
        for (String n : lowerNames) if (AsciiString.contentEqualsIgnoreCase(n, name)) return true;
        return false;
    }

    private static boolean containsIgnoreCase(String[] names, CharSequence name) {
        for (String n : names) if (AsciiString.contentEqualsIgnoreCase(n, name)) return true;
        return false;
    }
}
