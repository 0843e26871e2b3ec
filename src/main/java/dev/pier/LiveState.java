package dev.pier;

import dev.pier.translate.TranslationResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the admin port shows: the last translation that went live, when, the current source errors
 * (a file that does not parse, a rebuild that failed) and source warnings (what a file reader
 * skipped). Written by the pipeline, read by the admin server; one immutable view behind one reference.
 */
public final class LiveState {

    public record View(TranslationResult live, Instant liveSince, long swaps, Map<String, String> sourceErrors,
                       Map<String, List<String>> sourceWarnings) {
        public View {
            sourceErrors = Map.copyOf(sourceErrors);
            sourceWarnings = Map.copyOf(sourceWarnings);
        }

        public boolean ready() {
            return live != null;
        }
    }

    private final AtomicReference<View> view = new AtomicReference<>(new View(null, null, 0, Map.of(), Map.of()));

    public View view() {
        return view.get();
    }

    void published(TranslationResult result, Instant at, boolean swapped) {
        view.updateAndGet(v -> new View(result, swapped || v.liveSince() == null ? at : v.liveSince(),
                v.swaps() + (swapped ? 1 : 0), v.sourceErrors(), v.sourceWarnings()));
    }

    void sourceError(String source, String message) {
        view.updateAndGet(v -> {
            Map<String, String> errors = new TreeMap<>(v.sourceErrors());
            if (message == null) errors.remove(source);
            else errors.put(source, message);
            return new View(v.live(), v.liveSince(), v.swaps(), errors, v.sourceWarnings());
        });
    }

    void sourceWarnings(String source, List<String> list) {
        view.updateAndGet(v -> {
            Map<String, List<String>> warnings = new TreeMap<>(v.sourceWarnings());
            if (list.isEmpty()) warnings.remove(source);
            else warnings.put(source, List.copyOf(list));
            return new View(v.live(), v.liveSince(), v.swaps(), v.sourceErrors(), warnings);
        });
    }
}
