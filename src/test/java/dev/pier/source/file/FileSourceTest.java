package dev.pier.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.source.SnapshotSink;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.TranslationResult;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileSourceTest {

    /** Records what the source delivers; fails the next {@code failures} snapshots as a translation bug would. */
    static final class RecordingSink implements SnapshotSink {
        final List<ResourceSnapshot> snapshots = new ArrayList<>();
        int failures;
        final Map<String, String> errors = new HashMap<>();
        final Map<String, List<String>> warnings = new HashMap<>();

        @Override
        public synchronized TranslationResult snapshot(ResourceSnapshot snapshot) {
            if (failures > 0) {
                failures--;
                throw new IllegalStateException("translation bug");
            }
            snapshots.add(snapshot);
            return new TranslationResult(RoutingTable.EMPTY, Map.of(), List.of());
        }

        @Override
        public void endpoints(Map<ServiceKey, List<Endpoint>> changed) {
        }

        @Override
        public synchronized void sourceError(String source, String message) {
            if (message == null) errors.remove(source);
            else errors.put(source, message);
        }

        @Override
        public synchronized void sourceWarnings(String source, List<String> list) {
            if (list.isEmpty()) warnings.remove(source);
            else warnings.put(source, list);
        }
    }

    /** A change applies once two polls in a row read the same files. */
    private static boolean pollTwice(FileSource source) {
        source.poll();
        return source.poll();
    }

    private static String service(String name) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec: {ports: [{port: 80}]}\n";
    }

    @Test
    void readsADirectoryAndRereadsOnlyWhenSomethingChanged(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), service("a"));
        Files.writeString(dir.resolve("b.yml"), service("b"));
        Files.writeString(dir.resolve("notes.txt"), "not yaml");
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();
        assertThat(sink.snapshots).hasSize(1);
        assertThat(sink.snapshots.get(0).services()).extracting(s -> s.getMetadata().getName()).containsExactly("a", "b");

        assertThat(source.poll()).isTrue();
        assertThat(sink.snapshots).as("nothing changed, nothing delivered").hasSize(1);

        Files.writeString(dir.resolve("c.yaml"), service("c"));
        assertThat(pollTwice(source)).isTrue();
        assertThat(sink.snapshots).hasSize(2);
        assertThat(sink.snapshots.get(1).services()).hasSize(3);
    }

    @Test
    void onlyTheFilesThatChangedAreParsedAgain(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), service("a"));
        Files.writeString(dir.resolve("b.yaml"), service("b"));
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();

        // b.yaml changes (another size, so the change shows whatever the file system's clock resolution).
        Files.writeString(dir.resolve("b.yaml"), service("b").replace("port: 80", "port: 8080"));
        assertThat(source.poll()).as("a change applies once two polls read the same bytes").isFalse();
        assertThat(source.poll()).isTrue();
        assertThat(sink.snapshots).hasSize(2);
        var before = sink.snapshots.get(0).services();
        var after = sink.snapshots.get(1).services();
        assertThat(after.get(0)).as("a.yaml unchanged: its objects are the ones parsed before").isSameAs(before.get(0));
        assertThat(after.get(1)).isNotSameAs(before.get(1));
        assertThat(after.get(1).getSpec().getPorts().get(0).getPort()).isEqualTo(8080);

        Files.delete(dir.resolve("a.yaml"));
        assertThat(source.poll()).isFalse();
        assertThat(source.poll()).isTrue();
        assertThat(sink.snapshots.get(2).services()).extracting(s -> s.getMetadata().getName()).containsExactly("b");
    }

    @Test
    void aBrokenFileKeepsTheLastGoodSnapshotAndReportsFileAndLine(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("b.yaml");
        Files.writeString(a, service("a"));
        Files.writeString(b, service("b"));
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();

        Files.writeString(b, "apiVersion: v1\nkind: Service\nmetadata: {name: b\n");
        assertThat(pollTwice(source)).isFalse();
        assertThat(sink.snapshots).as("all or nothing: a.yaml alone is not applied").hasSize(1);
        assertThat(sink.errors.get(FileSource.ERROR_KEY)).startsWith(b + ":").contains(":3:").doesNotContain("\n");

        Files.writeString(b, service("b2"));
        assertThat(pollTwice(source)).isTrue();
        assertThat(sink.errors).isEmpty();
        assertThat(sink.snapshots).hasSize(2);
        assertThat(sink.snapshots.get(1).services()).extracting(s -> s.getMetadata().getName()).containsExactly("a", "b2");
    }

    @Test
    void aMissingFileIsAnErrorNotACrash(@TempDir Path dir) {
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir.resolve("nope.yaml")), sink, 60_000);
        assertThat(source.poll()).isFalse();
        assertThat(sink.errors.get(FileSource.ERROR_KEY)).contains("nope.yaml").contains("does not exist");
        assertThat(sink.snapshots).isEmpty();
    }

    @Test
    void theWatcherPicksUpAChangeByItself(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, service("a"));
        RecordingSink sink = new RecordingSink();
        try (FileSource source = new FileSource(List.of(a), sink, 50)) {
            assertThat(source.start()).isTrue();
            Files.writeString(a, service("a") + "---\n" + service("z"));
            awaitSnapshots(sink, 2, 5);
            synchronized (sink) {
                assertThat(sink.snapshots).hasSize(2);
                assertThat(sink.snapshots.get(1).services()).hasSize(2);
            }
        }
    }

    /** With an hour between polls, only the directory watch can have read the new file; its settle read applies it. */
    @Test
    void aWatchedDirectoryAppliesANewFileWithoutWaitingForAPoll(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), service("a"));
        RecordingSink sink = new RecordingSink();
        try (FileSource source = new FileSource(List.of(dir), sink, 3_600_000)) {
            assertThat(source.start()).isTrue();
            Path hidden = dir.resolve(".b.yaml");
            Files.writeString(hidden, service("b"));
            Files.move(hidden, dir.resolve("b.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // The bound only keeps a broken watch from hanging the build; it measures nothing.
            awaitSnapshots(sink, 2, 30);
            synchronized (sink) {
                assertThat(sink.snapshots).hasSize(2);
                assertThat(sink.snapshots.get(1).services()).extracting(svc -> svc.getMetadata().getName()).containsExactly("a", "b");
            }
        }
    }

    /**
     * The files went live only once their snapshot did: a translation that throws keeps the last
     * good table, is reported, and the same files are tried again (before the fix the new
     * fingerprint was recorded first, so the files never went live and nothing was reported).
     */
    @Test
    void aSnapshotThatCannotBeTranslatedIsReportedAndRetried(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, service("a"));
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();

        Files.writeString(a, service("a") + "---\n" + service("b"));
        sink.failures = 1;
        assertThat(pollTwice(source)).isFalse();
        assertThat(sink.errors.get(FileSource.ERROR_KEY)).startsWith("translation failed: ").contains("translation bug");
        assertThat(sink.snapshots).as("the last good snapshot stays").hasSize(1);

        assertThat(source.poll()).as("the same files, tried again").isTrue();
        assertThat(sink.errors).isEmpty();
        assertThat(sink.snapshots).hasSize(2);
        assertThat(sink.snapshots.get(1).services()).hasSize(2);
    }

    @Test
    void whatTheReaderSkippedIsDeliveredAsWarnings(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, service("a") + "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n");
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();
        assertThat(sink.warnings.get(FileSource.ERROR_KEY)).containsExactly(
                a + ":6: HTTPRoute r (gateway.networking.k8s.io/v1) is not a kind Pier reads; skipped");

        Files.writeString(a, service("a"));
        assertThat(pollTwice(source)).isTrue();
        assertThat(sink.warnings).as("cleared once the files are clean").isEmpty();
    }

    /**
     * A writer truncates the file and writes it in two parts; a poll lands in the pause. Cut at a
     * document boundary, the first part parses (it would drop b); cut mid-line, it does not (it
     * would be reported as an error). Neither goes live nor is reported: the last good table keeps
     * serving until the complete file has been read the same twice, and then it applies.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aFileWrittenInTwoPartsIsNeverAppliedHalf(boolean cutAtADocumentBoundary, @TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, service("a"));
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();

        String whole = service("a") + "---\n" + service("b");
        int cut = cutAtADocumentBoundary ? whole.indexOf("---\n") + 4 : whole.indexOf("metadata: {name: b") + 12;
        byte[] bytes = whole.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(a)) { // truncates, as editors and cp do
            assertThat(source.poll()).as("empty").isFalse();
            out.write(bytes, 0, cut);
            out.flush();
            assertThat(source.poll()).as("the first part").isFalse();
            out.write(bytes, cut, bytes.length - cut);
        }
        assertThat(source.poll()).as("complete, read once").isFalse();
        assertThat(sink.snapshots).as("the last good table keeps serving").hasSize(1);
        assertThat(sink.errors).as("nothing half-written was reported").isEmpty();

        assertThat(source.poll()).as("read the same again: applied").isTrue();
        assertThat(sink.snapshots).hasSize(2);
        assertThat(sink.snapshots.get(1).services()).extracting(x -> x.getMetadata().getName()).containsExactly("a", "b");
        assertThat(sink.errors).isEmpty();
    }

    /** The same size and modification time (a second write within the clock's granularity): the content decides. */
    @Test
    void aRewriteWithTheSameSizeAndModificationTimeIsSeen(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, service("a"));
        FileTime mtime = Files.getLastModifiedTime(a);
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();

        Files.writeString(a, service("b"));
        Files.setLastModifiedTime(a, mtime);
        assertThat(pollTwice(source)).isTrue();
        assertThat(sink.snapshots).hasSize(2);
        assertThat(sink.snapshots.get(1).services()).extracting(x -> x.getMetadata().getName()).containsExactly("b");
    }

    /** A {@code touch} changes no content: nothing is rebuilt. */
    @Test
    void aTouchRebuildsNothing(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, service("a"));
        RecordingSink sink = new RecordingSink();
        FileSource source = new FileSource(List.of(dir), sink, 60_000);
        assertThat(source.poll()).isTrue();

        Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 60_000));
        assertThat(source.poll()).isTrue();
        assertThat(sink.snapshots).hasSize(1);
    }

    /** Waits up to {@code seconds} until the sink holds {@code count} snapshots; the caller asserts what came. */
    private static void awaitSnapshots(RecordingSink sink, int count, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            synchronized (sink) {
                if (sink.snapshots.size() >= count) return;
            }
            Thread.sleep(20);
        }
    }
}
