package dev.pier.source.kube;

import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status thread ("pier-kube-status", after Contour's StatusUpdateHandler): the rebuild thread
 * offers the statuses of each translation and goes on at once; this thread writes them, keeping
 * only the latest wanted status per object, so a slow or throttled API server delays statuses,
 * never route updates, and an object that changed three times during a slow write is written once.
 */
final class StatusUpdater implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusUpdater.class);

    /** Writes one batch: the wanted statuses, and the objects no longer reported (their Events may be forgotten). */
    interface Target {
        void write(List<ObjectStatus> wanted, Set<ObjectRef> gone);
    }

    private final Target target;
    private final BooleanSupplier leader;
    private final Object lock = new Object();
    // Guarded by lock.
    /** The latest translation's statuses, not yet taken by this thread (null: none); a newer offer replaces it whole. */
    private List<ObjectStatus> latest;
    private boolean closed;
    /**
     * Only this thread: the last statuses taken (the translation's own list, not a set of their objects: at 10,000
     * Ingresses a set was ~40 B each), to find the objects a newer translation no longer reports.
     */
    private List<ObjectStatus> offered = List.of();
    private final Thread thread;

    StatusUpdater(Target target, BooleanSupplier leader) {
        this.target = target;
        this.leader = leader;
        this.thread = new Thread(this::run, "pier-kube-status");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * What one translation concluded (an immutable list); replaces whatever is still waiting. Costs the
     * rebuild thread nothing per object: comparing with the previous statuses is this thread's work,
     * so the next change's rebuild can start at once.
     */
    void offer(List<ObjectStatus> statuses) {
        synchronized (lock) {
            latest = statuses;
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            List<ObjectStatus> batch;
            synchronized (lock) {
                while (!closed && latest == null) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                batch = latest;
                latest = null;
            }
            // Offers this thread did not take were replaced whole by a later one: what that one no longer reports is gone.
            Set<ObjectRef> now = new HashSet<>();
            for (ObjectStatus s : batch) now.add(s.object());
            Set<ObjectRef> forget = new HashSet<>();
            for (ObjectStatus before : offered) {
                if (!now.contains(before.object())) forget.add(before.object());
            }
            offered = batch;
            if (!leader.getAsBoolean()) continue; // a new leader offers everything again
            try {
                target.write(batch, forget);
            } catch (RuntimeException e) {
                // One failed pass loses nothing: the next translation, or leadership, offers the statuses again.
                LOG.warn("writing statuses failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
