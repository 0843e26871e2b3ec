package dev.pier.source.file;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * What manifest files gave: the objects Pier reads, and warnings about what it skipped (a document
 * of a kind Pier does not read, a field no Pier object has), each naming its file and line.
 */
public record Manifests(List<HasMetadata> objects, List<Warning> warnings) {
    public Manifests {
        objects = List.copyOf(objects);
        warnings = List.copyOf(warnings);
    }

    /** A skipped part of a file; {@link #toString()} is {@code file:line: message}. */
    public record Warning(String source, int line, String message) {
        @Override
        public String toString() {
            return source + ":" + line + ": " + message;
        }
    }
}
