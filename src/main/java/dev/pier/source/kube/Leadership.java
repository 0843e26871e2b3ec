package dev.pier.source.kube;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
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

    /** Runs after a leader stopped and released the Lease (deleting it unless another replica took it). */
    private final Runnable releasedLeaseCleanup;

    Leadership(KubernetesClient client, KubeSourceOptions options, Runnable onStart, Runnable onStop) {
        this(options, onStart, onStop, config -> client.leaderElector().withConfig(config).build().start(),
                () -> deleteReleasedLease(client, options));
    }

    Leadership(KubeSourceOptions options, Runnable onStart, Runnable onStop, Elector elector) {
        this(options, onStart, onStop, elector, () -> { });
    }

    private Leadership(KubeSourceOptions options, Runnable onStart, Runnable onStop, Elector elector, Runnable releasedLeaseCleanup) {
        this.options = options;
        this.onStart = onStart;
        this.onStop = onStop;
        this.elector = elector;
        this.releasedLeaseCleanup = releasedLeaseCleanup;
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
                .withLock(new LeaseLock(options.leaseNamespace(), options.leaseName(), options.identity()))
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
     * Stops taking part; a leader releases the Lease so another replica takes over at once, and
     * deletes it if no other replica has taken it yet, so an uninstalled Pier leaves no Lease behind.
     */
    @Override
    public void close() {
        CompletableFuture<?> current;
        boolean wasLeader = leader;
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
        if (wasLeader) releasedLeaseCleanup.run();
    }

    /** Deletes the Lease while nobody holds it; the resourceVersion precondition spares one another replica just took. */
    private static void deleteReleasedLease(KubernetesClient client, KubeSourceOptions options) {
        try {
            Lease lease = client.leases().inNamespace(options.leaseNamespace()).withName(options.leaseName()).get();
            if (lease == null) return;
            // fabric8's release may leave this replica's name as holder; anyone else's means a new leader.
            String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
            if (holder != null && !holder.isEmpty() && !holder.equals(options.identity())) return;
            client.leases().inNamespace(options.leaseNamespace()).resource(lease)
                    .lockResourceVersion(lease.getMetadata().getResourceVersion()).delete();
        } catch (KubernetesClientException e) {
            LOG.debug("released Lease {}/{} not deleted: {}", options.leaseNamespace(), options.leaseName(), e.getMessage());
        }
    }
}
