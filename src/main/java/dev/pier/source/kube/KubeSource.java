package dev.pier.source.kube;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import dev.pier.source.SnapshotSink;
import dev.pier.source.kube.Informers.Kind;
import dev.pier.translate.TranslationResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster source, three threads apart: the {@link Informers} only mark what changed in a
 * {@link ChangeBatch}; one rebuild thread ("pier-kube-rebuild") takes batches and hands the sink
 * either a full snapshot ({@link SnapshotAssembly}; something that shapes routes changed) or the
 * changed endpoint lists; the leader's status thread ({@link StatusUpdater}) writes statuses, so a
 * slow API server never holds up a route update.
 *
 * <p>Watch errors are logged and retried by the informers with backoff; a rebuild that fails is
 * reported as the {@value #SOURCE} source error (cleared by the next good one), logged and tried
 * again with backoff; the sink keeps the last table meanwhile.
 */
public final class KubeSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeSource.class);
    /** The name this source reports errors under ({@code /routes} "errors"). */
    static final String SOURCE = "kubernetes";
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final KubeSourceOptions options;
    private final SnapshotSink sink;
    private final Informers informers;
    private final ChangeBatch changes;
    private final SnapshotAssembly assembly;
    private final Leadership leadership;
    private final StatusUpdater statuses;
    private final StatusWriter writer;
    private volatile Runnable leadershipListener = () -> { };

    // Only the rebuild thread touches these.
    private TranslationResult lastResult;
    private boolean failing;
    private Duration retryDelay = Duration.ZERO;
    private Thread rebuildThread;

    public KubeSource(KubernetesClient client, KubeSourceOptions options, SnapshotSink sink) {
        this(client, options, sink, null);
    }

    /** @param statusTarget where statuses go; null for the {@link StatusWriter} (tests put a stand-in here) */
    KubeSource(KubernetesClient client, KubeSourceOptions options, SnapshotSink sink, StatusUpdater.Target statusTarget) {
        this.options = options;
        this.sink = sink;
        this.informers = new Informers(client, options);
        this.changes = new ChangeBatch(options.holdOff(), options.maxHoldOff());
        this.assembly = new SnapshotAssembly(informers, client, options.translate().allowExternalName());
        this.leadership = new Leadership(client, options, () -> {
            changes.statusesWanted();
            leadershipListener.run();
        }, () -> leadershipListener.run());
        this.writer = new StatusWriter(client, options, Clock.systemUTC(), leadership::isLeader);
        this.statuses = new StatusUpdater(statusTarget != null ? statusTarget
                : (wanted, gone) -> writer.write(wanted, gone, informers::cached, informers::beingDeleted), leadership::isLeader);
    }

    /** Starts the informers, the rebuild and status threads and leader election; returns without waiting for a sync. */
    public void start() {
        informers.start(new Informers.Listener() {
            @Override
            public void changed(Kind kind, HasMetadata object) {
                if (kind == Kind.ENDPOINTS) changes.endpointsChanged(Informers.serviceKey(object));
                else changes.routesChanged();
            }

            @Override
            public void synced() {
                changes.wake();
            }
        });
        rebuildThread = new Thread(this::rebuildLoop, "pier-kube-rebuild");
        rebuildThread.setDaemon(true);
        rebuildThread.start();
        statuses.start();
        leadership.start();
    }

    /** Whether every informer has finished its first list. */
    public boolean hasSynced() {
        return informers.hasSynced();
    }

    /** Told when this replica wins or loses the Lease (the ACME manager works only while it leads); must not block. */
    public void onLeadershipChange(Runnable listener) {
        this.leadershipListener = listener;
    }

    /** Whether this replica currently holds the Lease (and so writes statuses). */
    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** Whether EndpointSlices are read (false: converted from core/v1 Endpoints). */
    public boolean usesEndpointSlices() {
        return informers.usesEndpointSlices();
    }

    /** Whether the GatewayRoute CRD was served at start, and so is watched. */
    public boolean watchesGatewayRoutes() {
        return informers.watchesGatewayRoutes();
    }

    @Override
    public void close() {
        changes.close();
        leadership.close();
        if (rebuildThread != null) {
            try {
                rebuildThread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writer.close(); // first, so a pass waiting on its PATCHes ends and the status thread can stop
        statuses.close();
        informers.stop();
    }

    private void rebuildLoop() {
        while (true) {
            ChangeBatch.Batch batch;
            try {
                batch = changes.next(informers::hasSynced);
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            try {
                rebuild(batch);
                if (failing) {
                    LOG.info("rebuild from the cluster caches works again");
                    failing = false;
                    retryDelay = Duration.ZERO;
                    sink.sourceError(SOURCE, null);
                }
            } catch (RuntimeException e) {
                retryDelay = retryDelay.isZero() ? options.holdOff().plusSeconds(1)
                        : min(retryDelay.multipliedBy(2), MAX_RETRY);
                LOG.error("rebuild from the cluster caches failed; the last table keeps serving; trying again in {} ms",
                        retryDelay.toMillis(), e);
                failing = true;
                sink.sourceError(SOURCE, "rebuild failed: " + e);
                changes.retryRoutesAfter(retryDelay);
            } finally {
                changes.built();
            }
        }
    }

    private void rebuild(ChangeBatch.Batch batch) {
        boolean offer = batch.statuses();
        boolean snapshotLive = false;
        try {
            if (batch.routes()) {
                // Once the table serves, the rebuild thread counts as idle: a change from then on goes at once, not after the
                // hold-off (one writer's next edit, written the moment it saw its last one served, came during the bookkeeping).
                TranslationResult result = sink.snapshot(assembly.snapshot(), changes::built);
                assembly.live(result);
                lastResult = result;
                snapshotLive = offer = true;
            }
        } finally {
            // A live snapshot carried every endpoint; otherwise (no route change, or it failed) send the changed ones.
            if (!snapshotLive) {
                Map<ServiceKey, List<Endpoint>> changed = assembly.changedEndpoints(batch.services());
                if (!changed.isEmpty()) sink.endpoints(changed);
            }
        }
        // Also without a route change (endpoints, statuses): offering statuses is no rebuild.
        changes.built();
        if (offer && lastResult != null && leadership.isLeader()) {
            statuses.offer(lastResult.statuses());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
