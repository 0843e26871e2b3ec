package dev.pier.source.kube;

import dev.pier.model.Endpoint;
import dev.pier.model.ObjectStatus;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.source.SnapshotSink;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.Translator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A sink that keeps what it is handed. It plays translation's part for status: {@code statuses}
 * says what "translation" concluded about each snapshot.
 */
final class RecordingSink implements SnapshotSink {
    /** A deadline for things that should happen within moments, long enough for a loaded 2-core CI machine. */
    static final Duration WAIT = Duration.ofSeconds(60);

    final LinkedBlockingQueue<ResourceSnapshot> snapshots = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Map<ServiceKey, List<Endpoint>>> endpoints = new LinkedBlockingQueue<>();
    volatile Function<ResourceSnapshot, List<ObjectStatus>> statuses = s -> List.of();
    /** Every sourceError call, as "source: message" ("source: null" clears). */
    final LinkedBlockingQueue<String> errors = new LinkedBlockingQueue<>();

    /** How many of the next snapshots fail, as a translation bug would. */
    final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public TranslationResult snapshot(ResourceSnapshot snapshot) {
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new IllegalStateException("translation bug");
        snapshots.add(snapshot);
        // The endpoints a real translation returns: KubeSource diffs later endpoint changes against them.
        return new TranslationResult(RoutingTable.EMPTY, Translator.translate(snapshot, TranslateOptions.DEFAULTS, java.time.Instant.now()).endpoints(),
                statuses.apply(snapshot));
    }

    @Override
    public void endpoints(Map<ServiceKey, List<Endpoint>> changed) {
        endpoints.add(changed);
    }

    @Override
    public void sourceError(String source, String message) {
        errors.add(source + ": " + message);
    }

    @Override
    public void sourceWarnings(String source, List<String> warnings) {
    }

    /** The next snapshot that satisfies {@code test}, skipping others; fails after {@link #WAIT}. */
    ResourceSnapshot awaitSnapshot(Predicate<ResourceSnapshot> test) throws InterruptedException {
        return await(snapshots, test, "snapshot");
    }

    String awaitError(Predicate<String> test) throws InterruptedException {
        return await(errors, test, "source error");
    }

    Map<ServiceKey, List<Endpoint>> awaitEndpoints(Predicate<Map<ServiceKey, List<Endpoint>>> test) throws InterruptedException {
        return await(endpoints, test, "endpoints update");
    }

    private static <T> T await(LinkedBlockingQueue<T> queue, Predicate<T> test, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            T next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) throw new AssertionError("no matching " + what + " within " + WAIT);
            if (test.test(next)) return next;
        }
    }
}
