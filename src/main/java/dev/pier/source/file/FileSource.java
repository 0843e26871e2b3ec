package dev.pier.source.file;

import dev.pier.source.SnapshotSink;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File mode: reads Kubernetes objects from YAML files (a file, or a directory's {@code *.yaml} and
 * {@code *.yml}) and delivers them as one snapshot. It polls every {@code interval} for changes of
 * the file set, sizes and modification times, which also catches the symlink swaps of a mounted
 * ConfigMap that inotify-based watchers miss. All files apply together or not at all: one file
 * that does not parse keeps the last good table, is logged once, and shows in {@code /routes}.
 */
public final class FileSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileSource.class);
    static final String ERROR_KEY = "files";

    private final List<Path> roots;
    private final SnapshotSink sink;
    private final long intervalMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pier-file-source");
        t.setDaemon(true);
        return t;
    });
    private String lastFingerprint;
    private String lastError;

    public FileSource(List<Path> roots, SnapshotSink sink, long intervalMillis) {
        this.roots = List.copyOf(roots);
        this.sink = sink;
        this.intervalMillis = intervalMillis;
    }

    /** Loads once (returning whether the files were good), then keeps watching. */
    public boolean start() {
        boolean ok = poll();
        timer.scheduleWithFixedDelay(this::pollQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        return ok;
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            log.error("file source: unexpected failure, keeping the last good table", e);
        }
    }

    /** Re-reads the files when anything changed; returns false when they do not parse. */
    synchronized boolean poll() {
        List<Path> files;
        String fingerprint;
        try {
            files = listFiles(roots);
            fingerprint = fingerprint(files);
        } catch (IOException e) {
            return fail("cannot list " + roots + ": " + e);
        }
        if (fingerprint.equals(lastFingerprint)) return lastError == null;
        lastFingerprint = fingerprint;
        List<HasMetadata> objects;
        try {
            objects = read(files);
        } catch (ManifestException e) {
            return fail(e.getMessage());
        }
        if (lastError != null) {
            log.info("files readable again: {}", roots);
            lastError = null;
            sink.sourceError(ERROR_KEY, null);
        }
        sink.snapshot(ManifestParser.toSnapshot(objects));
        return true;
    }

    private boolean fail(String message) {
        if (!Objects.equals(message, lastError)) {
            log.error("keeping the last good table: {}", message);
        }
        lastError = message;
        sink.sourceError(ERROR_KEY, message);
        return false;
    }

    /** Parses every file, in order; the first that cannot be read or parsed fails them all. */
    public static List<HasMetadata> read(List<Path> files) throws ManifestException {
        List<HasMetadata> objects = new ArrayList<>();
        for (Path file : files) {
            try {
                objects.addAll(ManifestParser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new ManifestException(file.toString(), 0, "cannot read: " + e.getMessage());
            }
        }
        return objects;
    }

    public static List<Path> listFiles(List<Path> roots) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> entries = Files.list(root)) {
                    for (Path p : (Iterable<Path>) entries::iterator) {
                        String name = p.getFileName().toString();
                        // Kubernetes ConfigMap mounts keep real files under ..data; the names at the top are symlinks.
                        if (name.startsWith(".")) continue;
                        if ((name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p)) {
                            files.put(p.toString(), p);
                        }
                    }
                }
            } else if (Files.exists(root)) {
                files.put(root.toString(), root);
            } else {
                throw new IOException(root + " does not exist");
            }
        }
        return List.copyOf(files.values());
    }

    private static String fingerprint(List<Path> files) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            Path real = f.toRealPath();
            sb.append(f).append('>').append(real).append(' ')
              .append(Files.size(real)).append(' ')
              .append(Files.getLastModifiedTime(real)).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
