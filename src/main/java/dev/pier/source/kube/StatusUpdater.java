package dev.pier.source.kube;

import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    // Guarded by lock. Replaced, not cleared, once taken: a cleared map keeps the table it grew to (64 KB after
    // the 10,000 statuses of a first translation, for the life of the process).
    private Map<ObjectRef, ObjectStatus> pending = new LinkedHashMap<>();
    private final Set<ObjectRef> gone = new HashSet<>();
    /** The last statuses offered (the translation's own list, not a set of their objects: at 10,000 Ingresses a set was ~40 B each). */
    private List<ObjectStatus> offered = List.of();
    private boolean closed;
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

    /** What one translation concluded; replaces whatever is still waiting for the same objects. */
    void offer(List<ObjectStatus> statuses) {
        synchronized (lock) {
            Set<ObjectRef> now = new HashSet<>();
            for (ObjectStatus s : statuses) {
                now.add(s.object());
                pending.put(s.object(), s);
                gone.remove(s.object());
            }
            for (ObjectStatus before : offered) {
                ObjectRef ref = before.object();
                if (!now.contains(ref)) {
                    pending.remove(ref);
                    gone.add(ref);
                }
            }
            offered = List.copyOf(statuses);
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            List<ObjectStatus> batch;
            Set<ObjectRef> forget;
            synchronized (lock) {
                while (!closed && pending.isEmpty() && gone.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                batch = new ArrayList<>(pending.values());
                forget = Set.copyOf(gone);
                pending = new LinkedHashMap<>();
                gone.clear();
            }
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
