package dev.pier.proxy;

import io.netty.util.NetUtil;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.SocketAddressImpl;
import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What Pier tells a backend about the client, and which client headers cross: end-to-end headers
 * are copied (hop-by-hop ones never). The peer is believed about the client only when it is a
 * trusted proxy ({@code --trusted-proxy}): then its {@code X-Forwarded-For} gets the peer
 * appended and its {@code X-Forwarded-Proto/-Host/-Port} pass; from anyone else they are replaced
 * ({@code X-Forwarded-For} is the peer alone). {@code X-Real-IP} is the client as Pier sees it
 * ({@link #clientAddress}, also what the access log and the span report): the peer, or behind
 * trusted proxies the nearest address in {@code X-Forwarded-For} that is not one of them. With
 * PROXY protocol on, the peer is the address the load balancer reports. An {@code X-Request-Id}
 * is made up when the client sent none, and with tracing on the request's span goes along as
 * {@code traceparent}. One instance per event loop.
 */
final class ForwardedHeaders {
    /** Client headers Pier always sets itself (Host goes as the request's authority, Expect is answered here). */
    private static final String[] SET_BY_PROXY = {"host", "expect", "x-forwarded-for", "x-real-ip",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"};
    /** ... and those a trusted proxy's values pass for. */
    private static final String[] SET_FOR_TRUSTED = {"host", "expect", "x-forwarded-for", "x-real-ip"};
    // Header names and values as precomputed AsciiStrings: no per-request encoding or hashing of the name.
    private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
    private static final CharSequence X_REAL_IP = HttpHeaders.createOptimized("x-real-ip");
    private static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
    private static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
    private static final CharSequence X_FORWARDED_PORT = HttpHeaders.createOptimized("x-forwarded-port");
    private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
    private static final CharSequence HTTP = HttpHeaders.createOptimized("http");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final List<Cidr> trusted;
    private final RequestTracing tracing;
    // Per event loop, so plain fields: one listener, so nearly always the cached port.
    private int cachedPort = -1;
    private String cachedPortText;
    // The last peer asked about: a keep-alive connection asks the same for each request.
    private String lastPeer;
    private boolean lastPeerTrusted;
    // IPv4 peers' text by address, direct-mapped (a slot holds the last address that fell into it).
    private static final int PEER_SLOTS = 256;
    private final int[] peerAddresses = new int[PEER_SLOTS];
    private final String[] peerTexts = new String[PEER_SLOTS];

    ForwardedHeaders(List<Cidr> trusted, RequestTracing tracing) {
        this.trusted = List.copyOf(trusted);
        this.tracing = tracing;
    }

    /**
     * Fills {@code upstream} with the headers the backend gets for {@code request}.
     *
     * @param span the request's span (its context goes along), or null
     * @return the request id the backend got: the client's {@code X-Request-Id}, else a new one
     */
    String apply(HttpServerRequest request, boolean websocket, MultiMap upstream, Span span) {
        MultiMap in = request.headers();
        String peer = peerText(request.remoteAddress());
        boolean fromTrusted = peer != null && isTrusted(peer);
        HopByHop.copy(in, upstream, fromTrusted ? SET_FOR_TRUSTED : SET_BY_PROXY);
        String forwardedFor = fromTrusted ? joined(in.getAll(X_FORWARDED_FOR)) : null;
        if (peer != null) {
            upstream.set(X_FORWARDED_FOR, forwardedFor == null ? peer : forwardedFor + ", " + peer);
            upstream.set(X_REAL_IP, fromTrusted ? clientBehind(forwardedFor, peer) : peer);
        } else if (forwardedFor != null) {
            upstream.set(X_FORWARDED_FOR, forwardedFor);
        }
        if (!fromTrusted || !in.contains(X_FORWARDED_PROTO)) {
            String scheme = request.scheme();
            upstream.set(X_FORWARDED_PROTO, scheme == null || scheme.equals("http") ? HTTP : scheme);
        }
        if (!fromTrusted || !in.contains(X_FORWARDED_HOST)) {
            String host = in.get(HttpHeaders.HOST);
            if (host == null && request.authority() != null) host = request.authority().toString(); // HTTP/2 :authority
            if (host != null) upstream.set(X_FORWARDED_HOST, host);
        }
        if (!fromTrusted || !in.contains(X_FORWARDED_PORT)) {
            SocketAddress local = request.localAddress();
            if (local != null) upstream.set(X_FORWARDED_PORT, portText(local.port()));
        }
        if (websocket) {
            upstream.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
            upstream.set(HttpHeaders.UPGRADE, in.get(HttpHeaders.UPGRADE));
        }
        String requestId = in.get(X_REQUEST_ID); // copied above when the client sent one
        if (requestId == null) {
            requestId = newRequestId();
            upstream.set(X_REQUEST_ID, requestId);
        }
        tracing.inject(span, upstream);
        return requestId;
    }

    /** The request's id for a request that goes to no backend: the client's, else a new one. */
    String requestId(HttpServerRequest request) {
        String id = request.getHeader(X_REQUEST_ID);
        return id != null ? id : newRequestId();
    }

    /**
     * The client's address as Pier reports it (access log, span, {@code X-Real-IP}): the peer, or
     * when the peer is a trusted proxy, the nearest untrusted address in its {@code X-Forwarded-For}.
     */
    String clientAddress(HttpServerRequest request) {
        String peer = peerText(request.remoteAddress());
        if (peer == null || !isTrusted(peer)) return peer;
        return clientBehind(joined(request.headers().getAll(X_FORWARDED_FOR)), peer);
    }

    /** 128 random bits as 32 hex digits; not a secret, so the event loop's fast generator will do. */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = random.nextLong();
        long b = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    private boolean isTrusted(String peer) {
        if (trusted.isEmpty()) return false;
        if (!peer.equals(lastPeer)) {
            lastPeer = peer;
            lastPeerTrusted = isTrustedAddress(peer);
        }
        return lastPeerTrusted;
    }

    private boolean isTrustedAddress(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) return false;
        for (Cidr c : trusted) if (c.contains(bytes)) return true;
        return false;
    }

    /** The nearest address in the trusted proxies' chain that is not one of them (nginx's real_ip_recursive). */
    private String clientBehind(String forwardedFor, String peer) {
        if (forwardedFor == null) return peer;
        String[] hops = forwardedFor.split(",");
        String nearest = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (NetUtil.createByteArrayFromIpAddressString(hop) == null) return nearest; // not an address: stop at the last one believed
            nearest = hop;
            if (!isTrustedAddress(hop)) return hop;
        }
        return nearest;
    }

    private static String joined(List<String> values) {
        if (values.isEmpty()) return null;
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    /**
     * The peer's address as text. An IPv4 peer's text comes from a small cache by address (the JDK
     * builds a new string each time, about 5 % of the event loop's allocation per keep-alive request).
     */
    String peerText(SocketAddress remote) {
        if (remote == null) return null;
        if (!(remote instanceof SocketAddressImpl impl) || !(impl.ipAddress() instanceof Inet4Address v4)) return remote.hostAddress();
        int address = v4.hashCode(); // an IPv4 address's hash is its 32 bits
        int slot = (address ^ (address >>> 16)) & (PEER_SLOTS - 1);
        String text = peerTexts[slot];
        if (text == null || peerAddresses[slot] != address) {
            text = v4.getHostAddress();
            peerTexts[slot] = text;
            peerAddresses[slot] = address;
        }
        return text;
    }

    private String portText(int port) {
        if (port != cachedPort) {
            cachedPortText = Integer.toString(port);
            cachedPort = port;
        }
        return cachedPortText;
    }
}
