package dev.pier.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * This JVM's class histogram (live objects, after the full GC that {@code GC.class_histogram} runs),
 * the same figures {@code jcmd PID GC.class_histogram} prints, for benches that report what a heap
 * holds beyond a baseline taken earlier in the same JVM.
 */
final class Histogram {
    record Row(long instances, long bytes) {}

    private final Map<String, Row> rows;

    private Histogram(Map<String, Row> rows) {
        this.rows = rows;
    }

    static Histogram take() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
        Map<String, Row> rows = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // "   1:   12345   678901  java.lang.String (java.base@17)"
            if (f.length < 4 || !f[0].endsWith(":")) continue;
            rows.merge(f[3], new Row(Long.parseLong(f[1]), Long.parseLong(f[2])),
                    (a, b) -> new Row(a.instances() + b.instances(), a.bytes() + b.bytes()));
        }
        return new Histogram(rows);
    }

    /**
     * A histogram to subtract from one taken later in this JVM. The later one counts this one's own rows, map and
     * class-name strings (about 40 B per Ingress at 10,000 Ingresses); so this one counts a histogram like itself,
     * taken just before and dropped after, and the bench's own bookkeeping cancels out of the difference.
     */
    static Histogram baseline() throws Exception {
        Histogram standIn = take();
        Histogram baseline = take();
        java.lang.ref.Reference.reachabilityFence(standIn);
        return baseline;
    }

    /** Bytes of live objects beyond {@code baseline}. */
    long totalAbove(Histogram baseline) {
        long total = 0;
        for (var e : rows.entrySet()) total += e.getValue().bytes() - baseline.rows.getOrDefault(e.getKey(), new Row(0, 0)).bytes();
        return total;
    }

    /** The {@code top} classes that grew most since {@code baseline}, with instances and bytes per {@code per} (e.g. per route). */
    void printAbove(Histogram baseline, int top, int per) {
        List<Map.Entry<String, Row>> grown = new ArrayList<>();
        long total = 0;
        long meters = 0;
        for (var e : rows.entrySet()) {
            Row before = baseline.rows.getOrDefault(e.getKey(), new Row(0, 0));
            Row d = new Row(e.getValue().instances() - before.instances(), e.getValue().bytes() - before.bytes());
            total += d.bytes();
            if (e.getKey().startsWith("io.micrometer.") || e.getKey().equals("dev.pier.proxy.RouteMeters")
                    || e.getKey().startsWith("dev.pier.proxy.RouteMeters$")) meters += d.bytes();
            grown.add(Map.entry(e.getKey(), d));
        }
        grown.sort((a, b) -> Long.compare(b.getValue().bytes(), a.getValue().bytes()));
        System.out.printf("class histogram above the baseline: %,d bytes in all (%,d per Ingress); RouteMeters and"
                + " Micrometer classes %,d bytes (%,d per Ingress)%n", total, total / per, meters, meters / per);
        System.out.printf("  %12s %14s %10s  %s%n", "instances", "bytes", "B/Ingress", "class");
        for (var e : grown.subList(0, Math.min(top, grown.size()))) {
            System.out.printf("  %,12d %,14d %,10.1f  %s%n", e.getValue().instances(), e.getValue().bytes(),
                    e.getValue().bytes() / (double) per, e.getKey());
        }
    }
}
