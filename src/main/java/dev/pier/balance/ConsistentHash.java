package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A hash ring with {@value #VIRTUAL_NODES} virtual nodes per endpoint (hash of
 * {@code host:port#i}); a key goes to the first virtual node at or after its hash. A node's
 * position depends only on its own endpoint, so removing an endpoint moves only the keys that were
 * on it. Requests without a key (the header, cookie, ... is missing) fall back to round-robin.
 * The ring is built by {@link #setEndpoints}, off the event loops; a pick only searches it.
 */
public final class ConsistentHash implements Balancer {
    static final int VIRTUAL_NODES = 160;

    private final RoundRobin fallback = new RoundRobin();
    private volatile Ring ring = Ring.build(List.of());

    @Override
    public void setEndpoints(List<Endpoint> endpoints) {
        Ring next = Ring.build(endpoints);
        fallback.setEndpoints(endpoints);
        ring = next;
    }

    @Override
    public Endpoint pick(String hashKey, Endpoint avoid) {
        Ring r = ring;
        if (r.hashes.length == 0) return null;
        if (hashKey == null) return fallback.pick(null, avoid);
        return r.lookup(hash(hashKey), avoid);
    }

    /** The endpoint list the current ring was built from. */
    public List<Endpoint> ringEndpoints() {
        return ring.endpoints;
    }

    /**
     * 64-bit FNV-1a over the string's chars, then MurmurHash3's fmix64 finalizer so that keys
     * differing only in their last characters (host:port#1, #2, ...) still land far apart.
     * Reads chars directly: no byte array per pick.
     */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static final class Ring {
        final List<Endpoint> endpoints;
        final long[] hashes;     // sorted ascending (signed order: any fixed order makes a ring)
        final Endpoint[] owners; // owners[i] holds the virtual node at hashes[i]

        private Ring(List<Endpoint> endpoints, long[] hashes, Endpoint[] owners) {
            this.endpoints = endpoints;
            this.hashes = hashes;
            this.owners = owners;
        }

        static Ring build(List<Endpoint> endpoints) {
            int n = endpoints.size() * VIRTUAL_NODES;
            long[] nodeHashes = new long[n];
            String[] nodeNames = new String[n];
            Integer[] order = new Integer[n];
            for (int e = 0; e < endpoints.size(); e++) {
                Endpoint ep = endpoints.get(e);
                for (int v = 0; v < VIRTUAL_NODES; v++) {
                    int i = e * VIRTUAL_NODES + v;
                    nodeNames[i] = ep.host() + ":" + ep.port() + "#" + v;
                    nodeHashes[i] = hash(nodeNames[i]);
                    order[i] = i;
                }
            }
            // Ties (a 64-bit collision) are ordered by name, so the ring does not depend on list order.
            Arrays.sort(order, Comparator.<Integer>comparingLong(i -> nodeHashes[i]).thenComparing(i -> nodeNames[i]));
            long[] hashes = new long[n];
            Endpoint[] owners = new Endpoint[n];
            for (int k = 0; k < n; k++) {
                hashes[k] = nodeHashes[order[k]];
                owners[k] = endpoints.get(order[k] / VIRTUAL_NODES);
            }
            return new Ring(endpoints, hashes, owners);
        }

        Endpoint lookup(long h, Endpoint avoid) {
            int n = hashes.length;
            int lo = 0, hi = n; // first index with hashes[index] >= h, or n (wraps to 0)
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (hashes[mid] < h) lo = mid + 1; else hi = mid;
            }
            int start = lo == n ? 0 : lo;
            Endpoint chosen = owners[start];
            if (avoid == null || !chosen.equals(avoid)) return chosen;
            // A retry: the next endpoint clockwise, the one that would own the key without `avoid`.
            for (int step = 1; step < n; step++) {
                Endpoint next = owners[(start + step) % n];
                if (!next.equals(avoid)) return next;
            }
            return chosen;
        }
    }
}
