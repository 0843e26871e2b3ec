package dev.pier.translate;

import dev.pier.model.HttpsPolicy;
import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import dev.pier.model.Route;
import dev.pier.model.VirtualHost;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the last translation made of each object, so the next one (one Ingress changed among
 * 10,000) translates only what changed and unchanged hosts come out with the same route instances,
 * which the data plane then does not recompile. An Ingress's routes are reused while its spec is the
 * same (the same uid and generation, or the same object where those are not set), its deletion state and path
 * policy are the same, and every Service and ConfigMap its translation looked up (present or not) is
 * still the same object. A host claimed more than once has its merge (its VirtualHost, winners and
 * conflicts) reused when its claims are the same instances in the same order, and keeps its VirtualHost
 * when its winning routes are the same instances; a host of one claim is made anew each time (cheap,
 * and nothing kept for it). Everything else (TLS, GatewayRoutes, statuses) is
 * computed anew each time.
 *
 * <p>One memo per pipeline, used by one thread at a time; every entry is checked against its inputs
 * before use, so a translation that throws leaves nothing unsound behind.
 * {@link Translator#translate(ResourceSnapshot, TranslateOptions, java.time.Instant)} uses a fresh one,
 * so that is the full translation the incremental one must equal.
 */
public final class TranslationMemo {
    private TranslateOptions options;
    private final Kept<ObjectRef, IngressRouting> ingresses = new Kept<>();
    private final Kept<String, VirtualHostMerger.MergedHost> mergedHosts = new Kept<>();
    private final Kept<String, HttpsHost> httpsHosts = new Kept<>();
    private int reusedIngresses;

    /**
     * Entries kept from one translation to the next, updated in place (building new maps of 10,000
     * entries per change cost more than the lookups). Each entry is checked against its inputs before
     * it is used, so one left by a translation that threw is still sound. The keys a translation
     * touched are listed (not marked in a wrapper per entry, which cost 24 B each), and only when there
     * are fewer of them than entries are the others (deleted objects, hosts gone) dropped at its end.
     */
    private static final class Kept<K, V> {
        private final Map<K, V> map = new HashMap<>();
        private List<K> touched = new ArrayList<>();
        // What the last get() found, so that keep() of the same value needs no second lookup.
        private K lastKey;
        private V lastValue;

        V get(K key) {
            if (lastKey != null && lastKey.equals(key)) return lastValue;
            V v = map.get(key);
            lastKey = key;
            lastValue = v;
            return v;
        }

        /** {@code value} is this translation's for {@code key} (each key kept at most once per translation). */
        void keep(K key, V value) {
            if (lastValue != value || value == null || !lastKey.equals(key)) map.put(key, value);
            lastKey = null;
            lastValue = null;
            touched.add(key);
        }

        void begin() {
            touched = new ArrayList<>(Math.max(16, map.size() + 16));
            lastKey = null;
            lastValue = null;
        }

        void next() {
            if (map.size() > touched.size()) map.keySet().retainAll(new HashSet<>(touched));
            touched = new ArrayList<>();
            lastKey = null;
            lastValue = null;
        }

        void clear() {
            map.clear();
            begin();
        }
    }

    /** Starts a translation; a change of options forgets everything. */
    void begin(TranslateOptions options) {
        if (!options.equals(this.options)) {
            ingresses.clear();
            mergedHosts.clear();
            httpsHosts.clear();
            this.options = options;
        }
        ingresses.begin();
        mergedHosts.begin();
        httpsHosts.begin();
        reusedIngresses = 0;
    }

    /** The translation completed: what it did not touch is forgotten. */
    void commit() {
        ingresses.next();
        mergedHosts.next();
        httpsHosts.next();
    }

    /** How many Ingresses the last translation took from the memo (for the pipeline's log). */
    public int reusedIngresses() {
        return reusedIngresses;
    }

    /** What translating one Ingress made: its route claims and default route. */
    record Translated(List<RouteClaim> claims, Optional<Route> defaultRoute) {
    }

    /**
     * The route claims and default route of one Ingress, the problems translating them raised, and what
     * they were made from. Its spec is identified by uid and generation when the API server set them (a
     * status write changes neither, and holding the object itself would keep a second copy of every
     * Ingress alive once the cache has the updated one), else by the object itself (file mode, whose
     * unchanged files keep their objects). The uid held is the current object's string (an update gives
     * the cache a new one), and the lookups are one {@link Read} when there was one (most Ingresses name
     * one Service), so the memo keeps no copy of what the cache holds and no list per Ingress. The rarely set default
     * route and problems share one field, null without them (40 B per Ingress instead of 48).
     */
    static final class IngressRouting {
        /** The uid string when the API server set uid and generation, else the Ingress object itself. */
        private Object identity;
        private final long generation;
        private final boolean deleting;
        private final boolean forwardRawPath;
        private final Object reads;
        private final Object claims;
        private final Rare rare;

        private record Rare(Optional<Route> defaultRoute, List<Problem> problems) {
        }

        private IngressRouting(Ingress ingress, boolean deleting, boolean forwardRawPath, List<Read> reads,
                               Translated translated, List<Problem> problems) {
            ObjectMeta m = ingress.getMetadata();
            boolean versioned = m.getUid() != null && m.getGeneration() != null;
            this.identity = versioned ? m.getUid() : ingress;
            this.generation = versioned ? m.getGeneration() : 0;
            this.deleting = deleting;
            this.forwardRawPath = forwardRawPath;
            this.reads = reads.size() == 1 ? reads.get(0) : reads;
            List<RouteClaim> made = translated.claims();
            this.claims = made.size() == 1 ? made.get(0) : List.copyOf(made);
            this.rare = translated.defaultRoute().isEmpty() && problems.isEmpty() ? null
                    : new Rare(translated.defaultRoute(), problems);
        }

        /** The ObjectRef its routes name as their source (null without routes). */
        @SuppressWarnings("unchecked")
        private ObjectRef source() {
            if (claims instanceof RouteClaim c) return c.route().source();
            List<RouteClaim> list = (List<RouteClaim>) claims;
            if (!list.isEmpty()) return list.get(0).route().source();
            return defaultRoute().map(Route::source).orElse(null);
        }

        /** Adds its claims to {@code out} (one claim, the common case, is held without a list). */
        @SuppressWarnings("unchecked")
        void addClaimsTo(List<RouteClaim> out) {
            if (claims instanceof RouteClaim c) out.add(c);
            else out.addAll((List<RouteClaim>) claims);
        }

        Optional<Route> defaultRoute() {
            return rare == null ? Optional.empty() : rare.defaultRoute();
        }

        List<Problem> problems() {
            return rare == null ? List.of() : rare.problems();
        }

        /** Whether {@code ingress} has the spec this was made from; if so, holds its uid string from now on. */
        private boolean sameSpec(Ingress ingress) {
            if (!(identity instanceof String uid)) return identity == ingress;
            ObjectMeta m = ingress.getMetadata();
            Long g = m.getGeneration();
            if (g == null || g != generation || !uid.equals(m.getUid())) return false;
            identity = m.getUid();
            return true;
        }

        @SuppressWarnings("unchecked")
        private boolean stillTrue(Reads now) {
            return reads instanceof Read r ? now.stillTrue(r) : now.stillTrue((List<Read>) reads);
        }
    }

    /** One lookup translation made: which kind of object, the key, and what it found (null: absent). */
    record Read(String kind, String key, Object found) {
    }

    interface RoutingOf {
        Translated translate(Reads reads);
    }

    /**
     * The instance of {@code ref} the memo's routes of that Ingress name, so its problems and status use
     * that one too (otherwise every Ingress would hold a second ObjectRef after its first translation).
     */
    ObjectRef ingressRef(ObjectRef ref) {
        IngressRouting last = ingresses.get(ref);
        ObjectRef known = last == null ? null : last.source();
        return known != null && known.equals(ref) ? known : ref;
    }

    /**
     * The Ingress's routing from the memo when nothing it depends on changed, else from {@code translate}
     * (its lookups recorded through {@code reads}); its problems are added to {@code own} either way.
     */
    IngressRouting ingress(ObjectRef ref, Ingress ingress, boolean deleting, boolean forwardRawPath, Reads reads,
                           ObjectProblems own, RoutingOf translate) {
        IngressRouting last = ingresses.get(ref);
        IngressRouting out;
        if (last != null && last.deleting == deleting && last.forwardRawPath == forwardRawPath
                && last.sameSpec(ingress) && last.stillTrue(reads)) {
            out = last;
            own.addAll(last.problems());
            reusedIngresses++;
        } else {
            int before = own.size();
            reads.start();
            Translated made = translate.translate(reads);
            out = new IngressRouting(ingress, deleting, forwardRawPath, shared(reads.taken()), made, own.since(before));
        }
        ingresses.keep(ref, out);
        return out;
    }

    /**
     * Recent lookups, so Ingresses that looked up the same object under the same key hold one {@link Read}
     * (and one key string; lookups concatenate a new one each time): a fixed table, nothing kept per
     * distinct lookup, and at most its size of objects kept alive after they left the snapshot.
     */
    private final Read[] recentReads = new Read[256];

    private List<Read> shared(List<Read> reads) {
        if (reads.size() != 1) return reads;
        Read r = reads.get(0);
        int slot = (r.kind().hashCode() * 31 + r.key().hashCode()) & (recentReads.length - 1);
        Read recent = recentReads[slot];
        if (recent != null && recent.found() == r.found() && recent.key().equals(r.key()) && recent.kind().equals(r.kind())) {
            return List.of(recent);
        }
        recentReads[slot] = r;
        return reads;
    }

    interface Merge {
        VirtualHostMerger.MergedHost merge(String hostname, List<RouteClaim> claims, TranslationMemo memo);
    }

    /**
     * The last translation's merge of this host when its claims are the same instances in the same order,
     * else {@code merge}'s. A host with one claim (most) is not kept: its merge is that claim's route on the
     * host and the claim served, made anew each time (the data plane carries a host over by its routes).
     */
    VirtualHostMerger.MergedHost mergedHost(String hostname, List<RouteClaim> claims, Merge merge) {
        if (claims.size() == 1) {
            RouteClaim claim = claims.get(0);
            return VirtualHostMerger.MergedHost.single(claim, new VirtualHost(hostname, List.of(claim.route())));
        }
        VirtualHostMerger.MergedHost last = mergedHosts.get(hostname);
        VirtualHostMerger.MergedHost out = last != null && last.madeFrom(claims) ? last : merge.merge(hostname, claims, this);
        mergedHosts.keep(hostname, out);
        return out;
    }

    /** The last translation's host of this name when it has exactly these routes (the same instances), else a new one. */
    VirtualHost host(String hostname, List<Route> routes) {
        VirtualHostMerger.MergedHost merged = mergedHosts.get(hostname);
        VirtualHost last = merged == null ? null : merged.host();
        return last != null && sameInstances(last.routes(), routes) ? last : new VirtualHost(hostname, routes);
    }

    private record HttpsHost(VirtualHost plain, List<HttpsPolicy> policies, VirtualHost withPolicies) {
    }

    /** A host with its routes' HTTPS policies: the last one when made from the same host with equal policies. */
    VirtualHost withHttps(VirtualHost plain, Map<ObjectRef, HttpsPolicy> policies) {
        List<HttpsPolicy> applied = new ArrayList<>(plain.routes().size());
        for (Route route : plain.routes()) applied.add(policies.getOrDefault(route.source(), HttpsPolicy.NONE));
        HttpsHost last = httpsHosts.get(plain.hostname());
        VirtualHost out;
        if (last != null && sameInstances(last.plain().routes(), plain.routes()) && last.policies().equals(applied)) {
            out = last.withPolicies();
        } else {
            List<Route> routes = new ArrayList<>(applied.size());
            for (int i = 0; i < applied.size(); i++) routes.add(plain.routes().get(i).withHttps(applied.get(i)));
            out = new VirtualHost(plain.hostname(), routes);
        }
        httpsHosts.keep(plain.hostname(), last != null && out == last.withPolicies() ? last : new HttpsHost(plain, applied, out));
        return out;
    }

    private static boolean sameInstances(List<?> a, List<?> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) return false;
        }
        return true;
    }

    /**
     * Maps of objects by "namespace/name" that note every lookup while one object is translated, so
     * its memo entry knows what it depends on, and check those lookups against this snapshot's maps.
     */
    static final class Reads {
        private final Map<String, Map<String, ?>> byKind = new HashMap<>();
        private List<Read> taken;

        void start() {
            taken = new ArrayList<>(2);
        }

        /** What was looked up since start(); nothing is recorded until the next start(). */
        List<Read> taken() {
            List<Read> out = taken == null ? List.of() : List.copyOf(taken);
            taken = null;
            return out;
        }

        <V> Function<String, V> recording(String kind, Map<String, V> source) {
            byKind.put(kind, source);
            return new Recording<>(kind, source, this);
        }

        /** Whether every lookup gives the same object (or none) in this snapshot. */
        boolean stillTrue(List<Read> reads) {
            for (Read r : reads) {
                if (!stillTrue(r)) return false;
            }
            return true;
        }

        boolean stillTrue(Read r) {
            Map<String, ?> now = byKind.get(r.kind());
            return now != null && now.get(r.key()) == r.found();
        }

        private void note(String kind, String key, Object found) {
            if (taken != null) taken.add(new Read(kind, key, found));
        }
    }

    /**
     * A lookup by key that records what it found. A {@code Function}, not a {@code Map}: translation
     * can only look objects up by key, so every lookup it makes is recorded and none escapes the memo
     * (a {@code Map} would also offer iteration, size and emptiness, which no record could cover).
     */
    private record Recording<V>(String kind, Map<String, V> source, Reads reads) implements Function<String, V> {
        @Override
        public V apply(String key) {
            V found = source.get(key);
            reads.note(kind, key, found);
            return found;
        }
    }
}
