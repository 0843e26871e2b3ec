package dev.pier.source.file;

import dev.pier.source.SnapshotSink;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
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
 * {@code *.yml}) and delivers them as one snapshot. It reads the file set and a hash of each file's
 * content when a file system watch reports a change in a watched directory, and polls every
 * {@code interval} besides (polling catches what a watch misses: network file systems, the symlink
 * swaps of a mounted ConfigMap some watchers miss). Writers truncate and then write, so a read can
 * catch a file empty or half-written, and half a file often parses: a change is applied only once
 * two reads at least {@link #SETTLE_MILLIS} apart (at most an interval) read the same bytes, with no
 * watch event between them (with a watch a change takes about the settle time; a writer that pauses
 * longer than that mid-file should write elsewhere and rename). All files apply together or not
 * at all: files that do not parse, or a snapshot that cannot be translated, keep the last good
 * table, are logged once and show in {@code /routes}; a snapshot that failed is retried (with
 * backoff) until it goes live or the files change. What was skipped while reading (unknown kinds
 * and fields) shows as warnings.
 */
public final class FileSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileSource.class);
    static final String ERROR_KEY = "files";
    private static final long MAX_RETRY_MILLIS = 30_000;
    /**
     * How long a changed read must stay the same before it applies, when the directories are watched:
     * long enough for a writer's next write to land (each write is also a watch event, which starts the
     * wait again), short against the poll interval, so a change reaches traffic in tens of milliseconds.
     */
    static final long SETTLE_MILLIS = 50;

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
    /** What the previous poll saw when it differed from the live files: applied when the next poll sees it again. */
    private String seenFingerprint;
    /** While watching: when seenFingerprint was first read, and when the last watch event came (System.nanoTime). */
    private long seenAtNanos;
    private long lastEventNanos;
    /** A read is scheduled on the timer (a watch event, or a change's settle read): later events need no other. */
    private boolean readScheduled;
    private WatchService watch;
    private Thread watchThread;
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
        startWatch();
        timer.scheduleWithFixedDelay(this::pollOnTimer, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        return ok;
    }

    /**
     * Watches each root's directory (a file root's parent) for entries created, changed or removed; each
     * event schedules a read. Where the file system offers no watch, polling alone goes on.
     */
    private void startWatch() {
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            Set<Path> dirs = new HashSet<>();
            for (Path root : roots) {
                Path dir = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
                if (dir != null && dirs.add(dir)) {
                    dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                }
            }
            synchronized (this) {
                watch = service;
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.info("file source: no file system watch for {} ({}); polling every {} ms", roots, e.toString(), intervalMillis);
            if (service != null) {
                try {
                    service.close();
                } catch (IOException closing) {
                    log.debug("file source: closing the unused watch: {}", closing.toString());
                }
            }
            return;
        }
        watchThread = new Thread(this::watchLoop, "pier-file-watch");
        watchThread.setDaemon(true);
        watchThread.start();
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watch.take();
                key.pollEvents();
                key.reset();
                synchronized (this) {
                    lastEventNanos = System.nanoTime();
                    // Read at once, unless a read is due anyway (it sees this event's bytes, or the settle read waits longer).
                    if (!readScheduled) scheduleRead(0);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Guarded by this. */
    private void scheduleRead(long delayMillis) {
        readScheduled = true;
        try {
            timer.schedule(this::readOnEvent, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            readScheduled = false; // closed
        }
    }

    private void readOnEvent() {
        synchronized (this) {
            readScheduled = false;
        }
        pollOnTimer();
    }

    private void pollOnTimer() {
        try {
            synchronized (this) {
                poll(true);
            }
        } catch (RuntimeException e) {
            log.error("file source: unexpected failure, keeping the last good table", e);
        }
    }

    /** One poll as the timer does it, without the backoff after a failure; returns whether the files are live. */
    synchronized boolean poll() {
        return poll(false);
    }

    /**
     * Re-reads the files, and applies them when they differ from the live ones and the previous poll
     * read them the same, or when nothing is live yet (nothing to protect); returns whether the
     * current files are live. A read error is held back the same way: a file replaced between
     * listing and reading is not an error.
     */
    private boolean poll(boolean honourBackoff) {
        Observed files;
        String seen;
        String readError = null;
        try {
            files = observe(roots);
            seen = files.fingerprint();
        } catch (IOException e) {
            files = null;
            readError = e.getMessage();
            seen = "error: " + readError;
        }
        if (seen.equals(liveFingerprint)) {
            seenFingerprint = null;
            return true;
        }
        long now = System.nanoTime();
        boolean settled = liveFingerprint == null || seen.equals(seenFingerprint);
        if (watch != null && settled && liveFingerprint != null) {
            // Watched, reads come soon after each other: the same bytes must have stayed a settle time, with no write since.
            long settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis());
            settled = now - seenAtNanos >= settleNanos && lastEventNanos - seenAtNanos <= 0;
            if (!settled && lastEventNanos - seenAtNanos > 0) seenAtNanos = now;
        } else if (!seen.equals(seenFingerprint)) {
            seenAtNanos = now;
        }
        seenFingerprint = seen;
        if (!settled) {
            // Maybe half-written: look again once it could have settled (else at the next poll).
            if (watch != null && !readScheduled) {
                long waitNanos = seenAtNanos + TimeUnit.MILLISECONDS.toNanos(settleMillis()) - now;
                scheduleRead(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1));
            }
            return false;
        }
        if (files == null) return fail(null, readError);
        if (honourBackoff && lastError != null && System.nanoTime() < retryAtNanos && seen.equals(failedFingerprint)) {
            return false; // the same files failed a moment ago: wait for the backoff
        }
        Manifests manifests;
        try {
            manifests = parseChanged(files);
        } catch (ManifestException e) {
            return fail(seen, e.getMessage(), e.source(), e.line());
        }
        warn(manifests.warnings());
        try {
            sink.snapshot(ManifestParser.toSnapshot(manifests.objects()));
        } catch (RuntimeException e) {
            // A bug, not bad input (translation reports bad input as problems): say so, keep serving, retry.
            log.error("files {} could not be translated; keeping the last good table", roots, e);
            return fail(seen, "translation failed: " + e);
        }
        liveFingerprint = seen;
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

    /**
     * As {@link #read}, but a file whose path and content hash are those of its last good parse is not
     * parsed again: with 10,000 objects in files, re-parsing all of them for one changed file was most
     * of file mode's time to traffic.
     */
    private Manifests parseChanged(Observed files) throws ManifestException {
        Map<Path, Parsed> now = new HashMap<>();
        List<HasMetadata> objects = new ArrayList<>();
        List<Manifests.Warning> warnings = new ArrayList<>();
        for (int i = 0; i < files.files().size(); i++) {
            Path file = files.files().get(i);
            String hash = files.hashes().get(i);
            Parsed one = parsed.get(file);
            if (one == null || !one.hash().equals(hash)) {
                one = new Parsed(hash, parseOne(file, files.contents().get(i)));
            }
            now.put(file, one);
            objects.addAll(one.manifests().objects());
            warnings.addAll(one.manifests().warnings());
        }
        parsed = now; // files gone, or replaced, drop out
        return new Manifests(objects, warnings);
    }

    /** A file's last good parse, and the hash of the bytes it was parsed from. */
    private record Parsed(String hash, Manifests manifests) {
    }

    /** Parses every file, in order; the first that cannot be read or parsed fails them all. */
    public static Manifests read(List<Path> files) throws ManifestException {
        List<byte[]> contents = new ArrayList<>();
        for (Path file : files) {
            try {
                contents.add(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new ManifestException(file.toString(), 0, "cannot read: " + e.getMessage());
            }
        }
        return parse(files, contents);
    }

    private static Manifests parse(List<Path> files, List<byte[]> contents) throws ManifestException {
        List<HasMetadata> objects = new ArrayList<>();
        List<Manifests.Warning> warnings = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Manifests one = parseOne(files.get(i), contents.get(i));
            objects.addAll(one.objects());
            warnings.addAll(one.warnings());
        }
        return new Manifests(objects, warnings);
    }

    private static Manifests parseOne(Path file, byte[] content) throws ManifestException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException(file.toString(), 0, "cannot read: not UTF-8");
        }
        return ManifestParser.parse(file.toString(), text);
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

    /**
     * The files of one poll, their bytes as read (parsed as they are, so what was hashed is what
     * applies), and a fingerprint of names and content hashes: the content decides, so a rewrite
     * within the clock's granularity is seen and a {@code touch} or a ConfigMap swap to the same
     * content rebuilds nothing.
     */
    private record Observed(List<Path> files, List<byte[]> contents, List<String> hashes, String fingerprint) {
    }

    private static Observed observe(List<Path> roots) throws IOException {
        List<Path> files;
        try {
            files = listFiles(roots);
        } catch (IOException e) {
            throw new IOException("cannot list " + roots + ": " + e, e);
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        List<byte[]> contents = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        StringBuilder fingerprint = new StringBuilder();
        for (Path f : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new IOException(f + ": cannot read: " + e, e);
            }
            String hash = HexFormat.of().formatHex(sha256.digest(bytes));
            contents.add(bytes);
            hashes.add(hash);
            fingerprint.append(f).append(' ').append(hash).append('\n');
        }
        return new Observed(files, contents, hashes, fingerprint.toString());
    }

    private long settleMillis() {
        return Math.min(SETTLE_MILLIS, intervalMillis);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        WatchService service;
        synchronized (this) {
            service = watch;
        }
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                log.debug("file source: closing the watch: {}", e.toString());
            }
        }
    }
}
