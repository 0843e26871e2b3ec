package dev.pier.source.file;

import dev.pier.source.SnapshotSink;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * ConfigMap that inotify-based watchers miss. All files apply together or not at all: files that do
 * not parse, or a snapshot that cannot be translated, keep the last good table, are logged once and
 * show in {@code /routes}; a snapshot that failed is retried (with backoff) until it goes live or
 * the files change. What was skipped while reading (unknown kinds and fields) shows as warnings.
 */
public final class FileSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileSource.class);
    static final String ERROR_KEY = "files";
    private static final long MAX_RETRY_MILLIS = 30_000;

    private final List<Path> roots;
    private final SnapshotSink sink;
    private final long intervalMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pier-file-source");
        t.setDaemon(true);
        return t;
    });
    /** The files that are live: recorded only once their snapshot went live. */
    private String liveFingerprint;
    private String lastError;
    private Set<String> loggedWarnings = Set.of();
    // After a failure the timer retries the same files (failedFingerprint) no sooner than retryAtNanos.
    private String failedFingerprint;
    private long retryAtNanos;
    private long retryDelayMillis;
    /** Per file, its last good parse (guarded by this). */
    private Map<Path, Parsed> parsed = Map.of();

    public FileSource(List<Path> roots, SnapshotSink sink, long intervalMillis) {
        this.roots = List.copyOf(roots);
        this.sink = sink;
        this.intervalMillis = intervalMillis;
    }

    /** Loads once (returning whether the files went live), then keeps watching. */
    public boolean start() {
        boolean ok = poll();
        timer.scheduleWithFixedDelay(this::pollOnTimer, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        return ok;
    }

    private void pollOnTimer() {
        try {
            synchronized (this) {
                if (lastError != null && System.nanoTime() < retryAtNanos && Objects.equals(fingerprintOrNull(), failedFingerprint)) {
                    return; // the same files failed a moment ago: wait for the backoff
                }
            }
            poll();
        } catch (RuntimeException e) {
            log.error("file source: unexpected failure, keeping the last good table", e);
        }
    }

    /**
     * Re-reads the files when anything changed since they last went live (or when they failed);
     * returns whether the current files are live.
     */
    synchronized boolean poll() {
        List<Path> files;
        String fingerprint;
        try {
            files = listFiles(roots);
            fingerprint = fingerprint(files);
        } catch (IOException e) {
            return fail(null, "cannot list " + roots + ": " + e);
        }
        if (fingerprint.equals(liveFingerprint)) return true;
        Manifests manifests;
        try {
            manifests = readChanged(files);
        } catch (ManifestException e) {
            return fail(fingerprint, e.getMessage(), e.source(), e.line());
        }
        warn(manifests.warnings());
        try {
            sink.snapshot(ManifestParser.toSnapshot(manifests.objects()));
        } catch (RuntimeException e) {
            // A bug, not bad input (translation reports bad input as problems): say so, keep serving, retry.
            log.error("files {} could not be translated; keeping the last good table", roots, e);
            return fail(fingerprint, "translation failed: " + e);
        }
        liveFingerprint = fingerprint;
        retryDelayMillis = 0;
        if (lastError != null) {
            log.info("files live again: {}", roots);
            lastError = null;
            sink.sourceError(ERROR_KEY, null);
        }
        return true;
    }

    /** @param fingerprint the files that failed (null when they could not even be listed) */
    private boolean fail(String fingerprint, String message) {
        return fail(fingerprint, message, null, 0);
    }

    /** @param file the file at fault, when one is (then {@code line} is where), for JSON logs' fields */
    private boolean fail(String fingerprint, String message, String file, int line) {
        if (!Objects.equals(message, lastError)) {
            var event = log.atError();
            if (file != null) event = event.addKeyValue("file", file).addKeyValue("line", line);
            event.log("keeping the last good table: {}", message);
        }
        lastError = message;
        failedFingerprint = fingerprint;
        retryDelayMillis = retryDelayMillis == 0 ? intervalMillis : Math.min(MAX_RETRY_MILLIS, retryDelayMillis * 2);
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDelayMillis);
        sink.sourceError(ERROR_KEY, message);
        return false;
    }

    /** Logs each warning once while it lasts, and shows them all in {@code /routes}. */
    private void warn(List<Manifests.Warning> warnings) {
        Set<String> now = new HashSet<>();
        for (Manifests.Warning w : warnings) {
            String text = w.toString();
            now.add(text);
            if (!loggedWarnings.contains(text)) {
                log.atWarn().addKeyValue("file", w.source()).addKeyValue("line", w.line()).log("skipped: {}", text);
            }
        }
        loggedWarnings = now;
        sink.sourceWarnings(ERROR_KEY, warnings.stream().map(Manifests.Warning::toString).toList());
    }

    private String fingerprintOrNull() {
        try {
            return fingerprint(listFiles(roots));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * As {@link #read}, but a file whose path, size and modification time are those of its last good
     * parse is not parsed again (the same test that tells a change at all): with 10,000 objects in
     * files, re-parsing all of them for one new file was most of file mode's time to traffic.
     */
    private Manifests readChanged(List<Path> files) throws ManifestException {
        Map<Path, Parsed> now = new HashMap<>();
        List<HasMetadata> objects = new ArrayList<>();
        List<Manifests.Warning> warnings = new ArrayList<>();
        for (Path file : files) {
            Parsed one;
            try {
                // Stat before reading: a write in between leaves a newer stamp, so the next poll parses again.
                String stamp = stamp(file);
                one = parsed.get(file);
                if (one == null || !one.stamp().equals(stamp)) {
                    one = new Parsed(stamp, ManifestParser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                throw new ManifestException(file.toString(), 0, "cannot read: " + e.getMessage());
            }
            now.put(file, one);
            objects.addAll(one.manifests().objects());
            warnings.addAll(one.manifests().warnings());
        }
        parsed = now; // files gone, or replaced, drop out
        return new Manifests(objects, warnings);
    }

    /** A file's last good parse, and the real path, size and modification time it was read at. */
    private record Parsed(String stamp, Manifests manifests) {
    }

    private static String stamp(Path file) throws IOException {
        Path real = file.toRealPath();
        return real + " " + Files.size(real) + " " + Files.getLastModifiedTime(real);
    }

    /** Parses every file, in order; the first that cannot be read or parsed fails them all. */
    public static Manifests read(List<Path> files) throws ManifestException {
        List<HasMetadata> objects = new ArrayList<>();
        List<Manifests.Warning> warnings = new ArrayList<>();
        for (Path file : files) {
            Manifests one;
            try {
                one = ManifestParser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ManifestException(file.toString(), 0, "cannot read: " + e.getMessage());
            }
            objects.addAll(one.objects());
            warnings.addAll(one.warnings());
        }
        return new Manifests(objects, warnings);
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
