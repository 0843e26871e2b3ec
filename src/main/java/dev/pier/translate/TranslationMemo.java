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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the last translation made of each object, so the next one (one Ingress changed among
 * 10,000) translates only what changed and unchanged hosts come out as the same instances, which
 * the data plane then does not recompile. An Ingress's routes are reused while its spec is the
 * same (the same uid and generation, or the same object where those are not set), its deletion state and path
 * policy are the same, and every Service and ConfigMap its translation looked up (present or not) is
 * still the same object. A host's merge (its VirtualHost, served rules and conflicts) is reused when
 * its claims are the same instances in the same order, and a merged host keeps its VirtualHost when
 * its winning routes are the same instances. Everything else (TLS, GatewayRoutes, statuses) is
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
     * it is used, so one left by a translation that threw is still sound; entries the last
     * translation did not touch (deleted objects, hosts gone) are dropped at its end.
     */
    private static final class Kept<K, V> {
        private final Map<K, Entry<V>> map = new HashMap<>();
        private int generation;
        private int touched;

        private static final class Entry<V> {
            V value;
            int generation;

            Entry(V value, int generation) {
                this.value = value;
                this.generation = generation;
            }
        }

        // The entry the last get() found, so that keep() after it needs no second lookup.
        private K lastKey;
        private Entry<V> lastEntry;

        V get(K key) {
            Entry<V> e = map.get(key);
            lastKey = key;
            lastEntry = e;
            return e == null ? null : e.value;
        }

        /** {@code value} is this translation's for {@code key}. */
        void keep(K key, V value) {
            if (lastEntry != null && lastKey == key) {
                lastEntry.value = value;
                lastEntry.generation = generation;
            } else {
                map.put(key, new Entry<>(value, generation));
            }
            lastKey = null;
            lastEntry = null;
            touched++;
        }

        void next() {
            if (map.size() > touched) map.values().removeIf(e -> e.generation != generation);
            generation++;
            touched = 0;
            lastKey = null;
            lastEntry = null;
        }

        void clear() {
            map.clear();
            touched = 0;
            lastKey = null;
            lastEntry = null;
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

    /** The route claims and default route of one Ingress, and the problems translating them raised. */
    record IngressRouting(Version version, boolean deleting, boolean forwardRawPath, List<Read> reads,
                          List<RouteClaim> claims, Optional<Route> defaultRoute, List<Problem> problems) {
    }

    /** One lookup translation made: which kind of object, the key, and what it found (null: absent). */
    record Read(String kind, String key, Object found) {
    }

    interface RoutingOf {
        IngressRouting translate(Reads reads);
    }

    /**
     * The Ingress's routing from the memo when nothing it depends on changed, else from {@code translate}
     * (its lookups recorded through {@code reads}); its problems are added to {@code own} either way.
     */
    IngressRouting ingress(ObjectRef ref, Ingress ingress, boolean deleting, boolean forwardRawPath, Reads reads,
                           ObjectProblems own, RoutingOf translate) {
        IngressRouting last = ingresses.get(ref);
        IngressRouting out;
        if (last != null && last.version().matches(ingress) && last.deleting() == deleting
                && last.forwardRawPath() == forwardRawPath && reads.stillTrue(last.reads())) {
            out = last;
            own.addAll(last.problems());
            reusedIngresses++;
        } else {
            int before = own.size();
            reads.start();
            out = translate.translate(reads);
            out = new IngressRouting(Version.of(ingress), deleting, forwardRawPath, reads.taken(), List.copyOf(out.claims()), out.defaultRoute(),
                    own.since(before));
        }
        ingresses.keep(ref, out);
        return out;
    }

    /**
     * What identifies an Ingress's spec: its uid and generation when the API server set them (a status
     * write changes neither, and holding the object itself would keep a second copy of every Ingress
     * alive once the cache has the updated one); else the object itself (file mode, whose unchanged
     * files keep their objects).
     */
    record Version(String uid, Long generation, Ingress object) {
        static Version of(Ingress ingress) {
            ObjectMeta m = ingress.getMetadata();
            return m.getUid() != null && m.getGeneration() != null ? new Version(m.getUid(), m.getGeneration(), null)
                    : new Version(null, null, ingress);
        }

        boolean matches(Ingress ingress) {
            if (object != null) return object == ingress;
            ObjectMeta m = ingress.getMetadata();
            return uid.equals(m.getUid()) && generation.equals(m.getGeneration());
        }
    }

    interface Merge {
        VirtualHostMerger.MergedHost merge(String hostname, List<RouteClaim> claims, TranslationMemo memo);
    }

    /** The last translation's merge of this host when its claims are the same instances in the same order, else {@code merge}'s. */
    VirtualHostMerger.MergedHost mergedHost(String hostname, List<RouteClaim> claims, Merge merge) {
        VirtualHostMerger.MergedHost last = mergedHosts.get(hostname);
        VirtualHostMerger.MergedHost out = last != null && sameInstances(last.claims(), claims) ? last : merge.merge(hostname, claims, this);
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
        if (last != null && last.plain() == plain && last.policies().equals(applied)) {
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
                Map<String, ?> now = byKind.get(r.kind());
                if (now == null || now.get(r.key()) != r.found()) return false;
            }
            return true;
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
