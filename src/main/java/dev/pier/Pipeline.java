package dev.pier;

import dev.pier.model.Endpoint;
import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.Problem;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.proxy.DataPlane;
import dev.pier.source.SnapshotSink;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.TranslationMemo;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.Translator;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot in, table out: translates what a source delivers and hands the result to the data
 * plane. A table equal to the live one is not swapped (a pod restart or an unrelated object
 * must not cost a recompile); endpoints always go to the endpoint index. Problems are logged
 * once, when they first appear, naming the object and field. A snapshot that cannot be
 * translated or compiled throws: the source reports it and the live table stays.
 */
public final class Pipeline implements SnapshotSink {
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

    private final DataPlane dataPlane;
    private final TranslateOptions options;
    private final LiveState state;
    private final Clock clock;
    private final ConfigMeters meters;
    private RoutingTable liveTable;
    /** Each snapshot translates only what changed since the last (hosts that did not come out as the same instances). */
    private final TranslationMemo memo = new TranslationMemo();
    private Set<String> reported = Set.of();
    private volatile Consumer<TranslationResult> published = r -> { };
    /** The start-up collection ran (see {@link #collectStartUp}). */
    private boolean startUpCollected;

    Pipeline(DataPlane dataPlane, TranslateOptions options, LiveState state, Clock clock, ConfigMeters meters) {
        this.dataPlane = dataPlane;
        this.options = options;
        this.state = state;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public TranslationResult snapshot(ResourceSnapshot snapshot) {
        return snapshot(snapshot, () -> { });
    }

    @Override
    public synchronized TranslationResult snapshot(ResourceSnapshot snapshot, Runnable live) {
        long start = System.nanoTime();
        TranslationResult result = Translator.translate(snapshot, options, clock.instant(), memo);
        long translated = System.nanoTime();
        boolean swap = !result.table().equals(liveTable);
        // Endpoints first: a new route must find its endpoints the moment it goes live.
        dataPlane.replaceEndpoints(result.endpoints());
        if (swap) {
            dataPlane.apply(result.table(), live);
            liveTable = result.table();
        } else {
            live.run();
        }
        long done = System.nanoTime();
        if (!startUpCollected) collectStartUp();
        var now = clock.instant();
        state.published(result, now, swap);
        meters.applied(result.table(), result.statuses(), now.toEpochMilli());
        logProblems(result.statuses());
        published.accept(result);
        log.info("{} ({} virtual hosts, {} routes, {} services with endpoints): translated in {} ms ({} Ingresses unchanged),"
                        + " applied in {} ms", swap ? "table swapped" : "table unchanged", result.table().virtualHosts().size(),
                result.table().virtualHosts().stream().mapToInt(v -> v.routes().size()).sum(),
                result.endpoints().size(), (translated - start) / 1_000_000, memo.reusedIngresses(), (done - translated) / 1_000_000);
        return result;
    }

    /**
     * Once, with the first table live and before Pier says it is ready (in file mode, before its
     * ports open): a full collection, so that what start-up built lies in the old generation before
     * traffic. Left to the young collections under traffic, it was copied from survivor space to
     * survivor space at each of them (3.7 MB in the bench, against 1.4 MB after this) until
     * it was old enough to promote; the pause is paid here, once, instead.
     */
    private void collectStartUp() {
        startUpCollected = true;
        long start = System.nanoTime();
        System.gc();
        log.info("start-up objects collected before serving in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    /** Told of every translation once it is live (the ACME manager: what to order, which challenge answers are served); must not block. */
    public void onPublished(Consumer<TranslationResult> listener) {
        this.published = listener;
    }

    @Override
    public void endpoints(Map<ServiceKey, List<Endpoint>> changed) {
        dataPlane.updateEndpoints(changed);
    }

    @Override
    public void sourceError(String source, String message) {
        state.sourceError(source, message);
        if (message != null) meters.failed(source);
    }

    @Override
    public void sourceWarnings(String source, List<String> warnings) {
        state.sourceWarnings(source, warnings);
    }

    /**
     * The log is one more view of the problems: each once, when it first appears. In JSON logs the
     * object, its kind, the field and the reason are fields of their own, for log queries.
     */
    private void logProblems(List<ObjectStatus> statuses) {
        Set<String> now = new HashSet<>();
        for (ObjectStatus status : statuses) {
            for (Problem problem : status.problems()) {
                String line = status.object() + ": " + problem.text() + " (" + problem.reason() + ")";
                now.add(line);
                if (!reported.contains(line)) {
                    ObjectRef object = problem.object();
                    log.atWarn().addKeyValue("object", object.namespace() + "/" + object.name())
                            .addKeyValue("kind", object.kind())
                            .addKeyValue("field", problem.field())
                            .addKeyValue("reason", problem.reason())
                            .log("problem: {}", line);
                }
            }
            for (var condition : status.conditions()) {
                if ("False".equals(condition.status())) {
                    String line = status.object() + ": " + condition.type() + "=False " + condition.reason() + ": " + condition.message();
                    now.add(line);
                    if (!reported.contains(line)) log.warn("problem: {}", line);
                }
            }
        }
        reported = now;
    }
}
