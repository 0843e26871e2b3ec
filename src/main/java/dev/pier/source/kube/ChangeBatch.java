package dev.pier.source.kube;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What changed since the last rebuild, and when the next one may start. Informer threads only
 * mark things here; the rebuild thread takes one batch at a time, once every informer synced.
 * <ul>
 *   <li>Leading edge: a change that finds the rebuild thread idle with nothing pending is taken at
 *       once, however soon after the previous one: a lone edit, or one writer's edits one after another,
 *       reaches traffic without waiting.</li>
 *   <li>Coalescing: changes that come while a batch is being built gather behind it into one batch,
 *       taken when things have been quiet for {@code holdOff}, but no later than {@code maxHoldOff}
 *       after its first change; so a burst (kubectl apply -f dir/, a Helm release) that outpaces a
 *       rebuild costs two rebuilds, not one per object.</li>
 * </ul>
 */
final class ChangeBatch {
    /**
     * One batch of work for the rebuild thread.
     *
     * @param changes how many changes were marked into it (0: the start, or a retry)
     * @param atOnce  whether it was taken at its first change (the leading edge), not after a hold-off
     */
    record Batch(boolean routes, boolean statuses, Set<String> services, int changes, boolean atOnce) {
    }

    private final Duration holdOff;
    private final Duration maxHoldOff;
    private final Object lock = new Object();
    // Guarded by lock.
    private boolean routesDirty = true;
    private boolean statusesDirty;
    private final Set<String> dirtyServices = new HashSet<>();
    private long firstChangeNanos;
    private long lastChangeNanos;
    private int changeCount;
    /** The pending batch's first change came to an idle rebuild thread: take it without a hold-off. */
    private boolean leadingEdge;
    /** The rebuild thread is working on a batch (from {@link #next} returning it until {@link #built}). */
    private boolean building;
    /** When a failed rebuild is tried again (System.nanoTime), 0 for none; a new change makes it moot. */
    private long retryAtNanos;
    private boolean closed;

    ChangeBatch(Duration holdOff, Duration maxHoldOff) {
        this.holdOff = holdOff;
        this.maxHoldOff = maxHoldOff;
    }

    /** Something that shapes routes changed: the next batch translates a full snapshot. */
    void routesChanged() {
        mark(() -> {
            routesDirty = true;
            retryAtNanos = 0;
        });
    }

    /** The endpoints of one Service ({@code namespace/name}) changed. */
    void endpointsChanged(String service) {
        mark(() -> dirtyServices.add(service));
    }

    /** The statuses must be offered again (this replica became the leader). */
    void statusesWanted() {
        mark(() -> statusesDirty = true);
    }

    /** A rebuild failed: translate again after {@code delay}, unless a change comes first. Endpoint updates do not wait for it. */
    void retryRoutesAfter(Duration delay) {
        synchronized (lock) {
            retryAtNanos = Math.max(1, System.nanoTime() + delay.toNanos());
            lock.notifyAll();
        }
    }

    /** The rebuild thread is done with the batch {@link #next} gave it (built, unchanged or failed); said again is harmless. */
    void built() {
        synchronized (lock) {
            building = false;
        }
    }

    /** Wakes a waiting {@link #next} to look again (an informer synced). */
    void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    /**
     * Waits for the next batch.
     *
     * @param ready whether work may start (every informer synced); polled, since a restarted informer signals nothing
     * @return the batch, or null once closed
     */
    Batch next(BooleanSupplier ready) throws InterruptedException {
        synchronized (lock) {
            while (!closed && !(pending(System.nanoTime()) && ready.getAsBoolean())) {
                long waitNanos = pending(System.nanoTime()) ? TimeUnit.MILLISECONDS.toNanos(100) : 0;
                if (retryAtNanos != 0) {
                    long untilRetry = Math.max(1, retryAtNanos - System.nanoTime());
                    waitNanos = waitNanos == 0 ? untilRetry : Math.min(waitNanos, untilRetry);
                }
                if (waitNanos == 0) lock.wait();
                else TimeUnit.NANOSECONDS.timedWait(lock, waitNanos);
            }
            while (!closed && firstChangeNanos != 0 && !leadingEdge) {
                long now = System.nanoTime();
                long until = Math.min(lastChangeNanos + holdOff.toNanos(), firstChangeNanos + maxHoldOff.toNanos());
                if (now >= until) break;
                TimeUnit.NANOSECONDS.timedWait(lock, until - now);
            }
            if (closed) return null;
            boolean retry = retryAtNanos != 0 && System.nanoTime() >= retryAtNanos;
            Batch batch = new Batch(routesDirty || retry, statusesDirty, Set.copyOf(dirtyServices), changeCount, leadingEdge);
            if (batch.routes()) retryAtNanos = 0;
            routesDirty = statusesDirty = false;
            dirtyServices.clear();
            firstChangeNanos = lastChangeNanos = 0;
            changeCount = 0;
            leadingEdge = false;
            building = true;
            return batch;
        }
    }

    private boolean pending(long now) {
        return routesDirty || statusesDirty || !dirtyServices.isEmpty() || (retryAtNanos != 0 && now >= retryAtNanos);
    }

    private void mark(Runnable change) {
        synchronized (lock) {
            change.run();
            long now = System.nanoTime();
            if (firstChangeNanos == 0) {
                firstChangeNanos = now;
                leadingEdge = !building;
            }
            lastChangeNanos = now;
            changeCount++;
            lock.notifyAll();
        }
    }
}
