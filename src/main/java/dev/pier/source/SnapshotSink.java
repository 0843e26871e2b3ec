package dev.pier.source;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.TranslationResult;
import java.util.List;
import java.util.Map;

/** Where a source (files, the cluster) delivers what it saw. Called from the source's own thread, never an event loop. */
public interface SnapshotSink {

    /**
     * A complete new set of objects: translate it and swap the table in. Returns what translation
     * concluded, including every Service port's endpoints (the source diffs endpoint-only changes against them).
     * Throws when the snapshot cannot be translated or applied; the last good table keeps serving.
     */
    TranslationResult snapshot(ResourceSnapshot snapshot);

    /**
     * The same, calling {@code live} as soon as the new table serves (or translation found it equal to the live
     * one), before the bookkeeping after it (status views, meters, logs): a source may take its next change then.
     */
    default TranslationResult snapshot(ResourceSnapshot snapshot, Runnable live) {
        TranslationResult result = snapshot(snapshot);
        live.run();
        return result;
    }

    /** Endpoints of some Service ports changed (an empty list: none left); routes did not. */
    void endpoints(Map<ServiceKey, List<Endpoint>> changed);

    /** The source could not read its input, or its input could not be served; the last good table keeps serving. {@code null} clears it. */
    void sourceError(String source, String message);

    /** What the source skipped while reading its input (e.g. {@code file:line: ...}); an empty list clears them. */
    void sourceWarnings(String source, List<String> warnings);
}
