package dev.pier.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per request, JSON or text, written by its own thread. Event loops only
 * offer a line to a bounded queue; when the queue is full (the output cannot keep up) the line is
 * dropped and counted ({@code pier_access_log_dropped_total}), never waited for. Lines are written
 * in batches, each batch with one write, so they never interleave with other log output mid-line.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    /** Lines a full queue holds: about 8 MiB of pending lines at worst. */
    public static final int DEFAULT_CAPACITY = 16_384;
    private static final int BATCH = 512;

    public enum Format { json, text }

    private final Format format;
    private final double sampleRatio;
    private final OutputStream out;
    private final BlockingQueue<AccessLogLine> queue;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private volatile boolean closing;

    /**
     * @param sampleRatio share of requests answered below 400 that are logged (1: all); 4xx and 5xx are always logged
     * @param out         where lines go (standard output in {@code serve}); written only by this log's thread
     */
    public AccessLog(Format format, double sampleRatio, OutputStream out, int capacity, MeterRegistry registry) {
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) throw new IllegalArgumentException("access log sample ratio must be in [0, 1]: " + sampleRatio);
        this.format = format;
        this.sampleRatio = sampleRatio;
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity);
        FunctionCounter.builder("pier.access.log.dropped", dropped, LongAdder::doubleValue)
                .description("Access-log lines dropped because the writer could not keep up").register(registry);
        FunctionCounter.builder("pier.access.log.lines", written, LongAdder::doubleValue)
                .description("Access-log lines written").register(registry);
        this.writer = new Thread(this::writeLoop, "pier-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Whether a request answered with {@code status} is logged; decided before its line is built. */
    boolean sampled(int status) {
        return status >= 400 || sampleRatio >= 1 || (sampleRatio > 0 && ThreadLocalRandom.current().nextDouble() < sampleRatio);
    }

    /** Never blocks: a line that does not fit is dropped and counted. */
    void offer(AccessLogLine line) {
        if (!queue.offer(line)) dropped.increment();
    }

    long dropped() {
        return dropped.sum();
    }

    private void writeLoop() {
        List<AccessLogLine> batch = new ArrayList<>(BATCH);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        StringBuilder text = new StringBuilder(512);
        JsonFactory jsonFactory = new JsonFactory();
        while (true) {
            try {
                AccessLogLine first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) return;
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                bytes.reset();
                if (format == Format.json) {
                    try (JsonGenerator json = jsonFactory.createGenerator(bytes)) {
                        json.setRootValueSeparator(null);
                        for (AccessLogLine line : batch) {
                            line.writeJson(json);
                            json.writeRaw('\n');
                        }
                    }
                } else {
                    for (AccessLogLine line : batch) {
                        text.setLength(0);
                        line.writeText(text);
                        text.append('\n');
                        bytes.write(text.toString().getBytes(StandardCharsets.UTF_8));
                    }
                }
                bytes.writeTo(out); // one write per batch: whole lines only
                out.flush();
                written.add(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                dropped.add(batch.size());
                batch.clear();
                log.warn("access log: cannot write: {}", e.toString());
            }
        }
    }

    /** Writes what is queued (waiting up to a second), then stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(1) + 250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }
}
