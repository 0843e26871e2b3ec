package dev.pier.source.kube;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election over a coordination.k8s.io Lease. Every replica serves traffic; only the leader
 * writes statuses. fabric8's elector runs one term and ends when leadership is lost, so a new one
 * is started after each term until {@link #close()}. A term that cannot start, or ends in an
 * error, is logged and tried again with exponential backoff (from the retry period up to
 * {@link #MAX_BACKOFF}): election never stops silently.
 */
final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Runs one term of the election; fabric8's elector, or a stand-in in tests. */
    interface Elector {
        CompletableFuture<?> start(LeaderElectionConfig config);
    }

    private final KubeSourceOptions options;
    private final Runnable onStart;
    private final Runnable onStop;
    private final Elector elector;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pier-leader-election");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean leader;
    private volatile boolean closed;
    private CompletableFuture<?> term;
    private int failures; // guarded by this: failed starts or terms in a row, for the backoff

    Leadership(KubernetesClient client, KubeSourceOptions options, Runnable onStart, Runnable onStop) {
        this(options, onStart, onStop, config -> client.leaderElector().withConfig(config).build().start());
    }

    Leadership(KubeSourceOptions options, Runnable onStart, Runnable onStop, Elector elector) {
        this.options = options;
        this.onStart = onStart;
        this.onStop = onStop;
        this.elector = elector;
    }

    /** Starts the first term; never throws for an election that cannot start (it is retried). */
    synchronized void start() {
        if (closed) return;
        CompletableFuture<?> started;
        try {
            started = elector.start(config());
        } catch (RuntimeException e) {
            retry("could not start: " + e);
            return;
        }
        term = started;
        started.whenComplete((v, t) -> {
            synchronized (this) {
                if (closed) return;
                if (t != null) {
                    retry("ended: " + t);
                } else {
                    failures = 0;
                    schedule(options.retryPeriod().toMillis());
                }
            }
        });
    }

    /** Guarded by this. */
    private void retry(String what) {
        failures++;
        long delay = Math.min(MAX_BACKOFF.toMillis(), options.retryPeriod().toMillis() << Math.min(failures - 1, 16));
        LOG.warn("leader election {}; trying again in {} ms (attempt {})", what, delay, failures + 1);
        schedule(delay);
    }

    private void schedule(long delayMillis) {
        try {
            restarts.schedule(this::start, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private LeaderElectionConfig config() {
        return new LeaderElectionConfigBuilder()
                .withName(options.leaseName())
                .withLock(new InstalledLeaseLock(options.leaseNamespace(), options.leaseName(), options.identity()))
                .withLeaseDuration(options.leaseDuration())
                .withRenewDeadline(options.renewDeadline())
                .withRetryPeriod(options.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
                        id -> LOG.info("leader is now {}", id)))
                .build();
    }

    private void started() {
        LOG.info("{} became the leader (Lease {}/{})", options.identity(), options.leaseNamespace(), options.leaseName());
        leader = true;
        onStart.run();
    }

    private void stopped() {
        if (!leader) return;
        LOG.info("{} stopped leading", options.identity());
        leader = false;
        onStop.run();
    }

    boolean isLeader() {
        return leader && !closed;
    }

    /**
     * Stops taking part; a leader releases the Lease so another replica takes over at once. The
     * Lease itself stays: it belongs to whoever installed Pier (the chart), which removes it.
     */
    @Override
    public void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            closed = true;
            current = term;
        }
        restarts.shutdownNow();
        if (current != null) {
            current.cancel(true);
            try {
                // The release runs when the term's future completes; give it a moment to reach the server.
                current.handle((v, t) -> null).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // cancelled futures complete at once; nothing more to wait for
            }
        }
        leader = false;
    }

    /**
     * fabric8's LeaseLock, taking a Lease installed without a holder's record (the chart creates it
     * empty, so Helm deletes it on uninstall and its upgrades never touch the record) as free. As
     * is, fabric8 would fail on the missing times, or try to create a Lease that already exists.
     */
    static final class InstalledLeaseLock extends LeaseLock {
        InstalledLeaseLock(String namespace, String name, String identity) {
            super(namespace, name, identity);
        }

        @Override
        protected LeaderElectionRecord toRecord(Lease lease) {
            LeaseSpec spec = lease.getSpec();
            if (spec == null || spec.getLeaseDurationSeconds() == null || spec.getAcquireTime() == null || spec.getRenewTime() == null) {
                ZonedDateTime never = Instant.EPOCH.atZone(ZoneOffset.UTC);
                int transitions = spec == null || spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
                return new LeaderElectionRecord(null, Duration.ZERO, never, never, transitions);
            }
            return super.toRecord(lease);
        }
    }
}
