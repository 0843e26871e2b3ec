package dev.pier.proxy;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ServiceCatalog} of each endpoint the rpc handler calls, shared by all event loops: the
 * first request to an endpoint fetches it by server reflection (on that request's event loop, the
 * descriptors built on a worker), later ones reuse it. An entry goes when its endpoint leaves its
 * Service's endpoints, and is fetched again when a call reports an unknown method or, at most once
 * per {@link #REFRESH_AFTER}, when a lookup misses (a new version of the server may have it). A
 * server without reflection is remembered for {@link #NO_REFLECTION_RETRY}; an endpoint that could
 * not be reached is not remembered.
 */
final class ReflectionCache {
    private static final Logger log = LoggerFactory.getLogger(ReflectionCache.class);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REFRESH_AFTER = Duration.ofSeconds(10);
    static final Duration NO_REFLECTION_RETRY = Duration.ofSeconds(10);

    private record Key(ServiceKey service, String host, int port) {
        static Key of(ServiceKey service, Endpoint endpoint) {
            return new Key(service, endpoint.host(), endpoint.port());
        }
    }

    private record Entry(CompletableFuture<ServiceCatalog> catalog, long startedNanos) {
        /** A failure worth remembering (no reflection), until it is old enough to try again. */
        boolean usable(long now) {
            if (!catalog.isCompletedExceptionally()) return true;
            Throwable cause = catalog.handle((c, e) -> e).getNow(null);
            if (cause instanceof java.util.concurrent.CompletionException) cause = cause.getCause();
            return cause instanceof ServerReflection.Failure f && f.kind == ServerReflection.Failure.Kind.NO_REFLECTION
                    && now - startedNanos < NO_REFLECTION_RETRY.toNanos();
        }
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

    /**
     * The catalog of {@code endpoint} of {@code service}, on the caller's event loop ({@code server}'s).
     * The future fails with a {@link ServerReflection.Failure}.
     */
    Future<ServiceCatalog> catalog(ProxyServer server, ServiceKey service, Endpoint endpoint) {
        Key key = Key.of(service, endpoint);
        long now = System.nanoTime();
        Entry seen = entries.get(key);
        if (seen != null && seen.catalog.isDone() && !seen.catalog.isCompletedExceptionally()) {
            return Future.succeededFuture(seen.catalog.getNow(null)); // the usual case: no hop
        }
        Entry entry = seen;
        if (seen == null || !seen.usable(now)) {
            Entry fresh = new Entry(new CompletableFuture<>(), now);
            entry = entries.compute(key, (k, old) -> old == null || old == seen ? fresh : old);
            if (entry == fresh) fetch(server, key, endpoint, fresh);
        }
        return onThisLoop(server.context(), entry.catalog);
    }

    /** Fetches again, unless another request already did since {@code stale} was fetched. */
    void refresh(ServiceKey service, Endpoint endpoint, ServiceCatalog stale) {
        Key key = Key.of(service, endpoint);
        entries.computeIfPresent(key, (k, e) -> e.catalog.getNow(null) == stale ? null : e);
    }

    /** Whether a lookup that missed in {@code catalog} may fetch it again (once per {@link #REFRESH_AFTER}). */
    static boolean mayRefreshAfterMiss(ServiceCatalog catalog) {
        return System.nanoTime() - catalog.fetchedNanos >= REFRESH_AFTER.toNanos();
    }

    /** Drops the entries of endpoints that left their Service (the list changed to {@code changed}'s). */
    void endpointsChanged(Map<ServiceKey, List<Endpoint>> changed) {
        if (entries.isEmpty() || changed.isEmpty()) return;
        entries.keySet().removeIf(key -> {
            List<Endpoint> now = changed.get(key.service());
            if (now == null) return false;
            for (Endpoint e : now) {
                if (e.host().equals(key.host()) && e.port() == key.port()) return false;
            }
            return true;
        });
    }

    /** How many endpoints have an entry (for tests). */
    int size() {
        return entries.size();
    }

    private void fetch(ProxyServer server, Key key, Endpoint endpoint, Entry entry) {
        long started = System.nanoTime();
        ServerReflection.fetch(ServerReflection.over(server, endpoint), FETCH_TIMEOUT.toMillis())
                .compose(files -> server.vertx().executeBlocking(() -> ServiceCatalog.build(files, started), false))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        entry.catalog.complete(ar.result());
                        return;
                    }
                    Throwable cause = ar.cause();
                    if (!(cause instanceof ServerReflection.Failure f) || f.kind != ServerReflection.Failure.Kind.NO_REFLECTION) {
                        entries.remove(key, entry); // not remembered: the next request tries again
                    }
                    if (log.isDebugEnabled()) log.debug("server reflection of {} at {} failed: {}", key.service(), endpoint, cause.toString());
                    entry.catalog.completeExceptionally(cause instanceof ServerReflection.Failure ? cause
                            : new ServerReflection.Failure(ServerReflection.Failure.Kind.MALFORMED, String.valueOf(cause.getMessage())));
                });
    }

    /** Completes on {@code context}'s event loop, whichever thread completed the shared future. */
    private static Future<ServiceCatalog> onThisLoop(Context context, CompletableFuture<ServiceCatalog> shared) {
        Promise<ServiceCatalog> promise = Promise.promise();
        shared.whenComplete((catalog, error) -> context.runOnContext(v -> {
            if (error == null) {
                promise.complete(catalog);
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                promise.fail(cause);
            }
        }));
        return promise.future();
    }

    /** The services (full keys) with an entry, for tests. */
    Set<ServiceKey> services() {
        Set<ServiceKey> out = new HashSet<>();
        entries.keySet().forEach(k -> out.add(k.service()));
        return out;
    }
}
