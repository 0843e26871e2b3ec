package dev.pier;

import dev.pier.translate.TranslationResult;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the admin port shows: the last translation that went live, when, and the current
 * source errors (a file that does not parse, a lost API server). Written by the pipeline,
 * read by the admin server; one immutable view behind one reference.
 */
public final class LiveState {

    public record View(TranslationResult live, Instant liveSince, long swaps, Map<String, String> sourceErrors) {
        public View {
            sourceErrors = Map.copyOf(sourceErrors);
        }

        public boolean ready() {
            return live != null;
        }
    }

    private final AtomicReference<View> view = new AtomicReference<>(new View(null, null, 0, Map.of()));

    public View view() {
        return view.get();
    }

    void published(TranslationResult result, Instant at, boolean swapped) {
        view.updateAndGet(v -> new View(result, swapped || v.liveSince() == null ? at : v.liveSince(),
                v.swaps() + (swapped ? 1 : 0), v.sourceErrors()));
    }

    void sourceError(String source, String message) {
        view.updateAndGet(v -> {
            Map<String, String> errors = new TreeMap<>(v.sourceErrors());
            if (message == null) errors.remove(source);
            else errors.put(source, message);
            return new View(v.live(), v.liveSince(), v.swaps(), errors);
        });
    }
}
