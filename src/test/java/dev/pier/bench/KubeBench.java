package dev.pier.bench;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.cluster.Cluster.Reply;
import dev.pier.source.kube.KubeSourceOptions;
import dev.pier.testing.KubeApiServer;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Cluster mode against a real API server (the test one: etcd + kube-apiserver on loopback,
 * a backend on a network namespace address), Pier in this JVM. For each size (Ingresses present), once they
 * are served and show Pier's status (as a Pier that has been running):
 * <ul>
 *   <li><b>isolated</b> changes: wait {@code gapMillis} (longer than the hold-off, so each write is the first
 *       change after a quiet period), create one new Ingress, poll Pier's proxy port every 2 ms until its host
 *       answers 200. Timed from just before the write call to that 200, once per writer: {@code fabric8} (one
 *       kept-alive client, the call returns when the API server answered) and {@code kubectl} ({@code kubectl
 *       apply -f FILE}, a new process per write, as a person or a CI job writes);</li>
 *   <li><b>back-to-back</b> changes: the same without the gap (each write right after the previous one was
 *       served): each finds the rebuild thread idle and goes at once;</li>
 *   <li><b>bursts</b>: {@code burst} creates one after another as fast as one client goes (as {@code kubectl apply
 *       -f dir/} does): time to the first one served, to all served, and how many table swaps it took;</li>
 * </ul>
 * then, with every Ingress present: Pier's heap (used after full GC with Pier running, minus the same
 * before any Pier started in this JVM), its class histogram against that baseline ({@code -Dhistogram=N}
 * classes), the process RSS, and start to serving (a fresh Pier until the last Ingress answers 200).
 * Run with bench/kube-bench.sh (knobs documented there); prints figures, asserts nothing about time.
 */
public final class KubeBench {
    private static final int CHANGES = Integer.getInteger("changes", 200);
    private static final int GAP_MILLIS = Integer.getInteger("gapMillis", 250);
    private static final List<String> PATTERNS = List.of(System.getProperty("patterns", "isolated,back-to-back,burst").split(","));
    private static final List<String> WRITERS = List.of(System.getProperty("writers", "fabric8,kubectl").split(","));
    private static final int KUBECTL_CHANGES = Integer.getInteger("kubectlChanges", 100);
    private static final int BURST = Integer.getInteger("burst", 50);
    private static final int BURST_ROUNDS = Integer.getInteger("burstRounds", 5);
    private static final int CREATE_THREADS = Integer.getInteger("createThreads", 16);
    private static final String PUBLISH_ADDRESS = System.getProperty("publishAddress", "192.0.2.10");
    private static final int HISTOGRAM = Integer.getInteger("histogram", 25);
    /** A path: live-object heap dumps there ({@code -base} before Pier, then with it) to find what a route keeps. */
    private static final String HEAP_DUMP = System.getProperty("heapDump", "");
    /** Each Ingress present names a Service of its own (created with an EndpointSlice), instead of all naming one. */
    private static final boolean SERVICE_EACH = Boolean.getBoolean("serviceEach");
    /** The Prefix path of each Ingress present (the timed writes' Ingresses keep {@code /}). */
    private static final String INGRESS_PATH = System.getProperty("ingressPath", "/");

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{1_000, 10_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        long benchStart = System.nanoTime();
        try (KubeApiServer kube = KubeApiServer.start(KubeApiServer.findBinaries().orElseThrow(() ->
                new IllegalStateException("no kube-apiserver in " + KubeApiServer.searchedPlaces() + "; run scripts/kube-test-tools.sh")));
             Cluster cluster = Cluster.create(kube, "bench")) {
            Backend backend = cluster.backend("a");
            cluster.serviceFor("web", backend);
            System.out.printf("machine: %d cores, load average %.2f at start; JVM heap max %d MiB; java %s%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage(), Runtime.getRuntime().maxMemory() >> 20,
                    System.getProperty("java.version"));
            System.out.printf("knobs: changes=%d gapMillis=%d patterns=%s writers=%s kubectlChanges=%d burst=%d burstRounds=%d"
                            + " publishAddress=%s%n", CHANGES, GAP_MILLIS, PATTERNS, WRITERS, KUBECTL_CHANGES, BURST, BURST_ROUNDS,
                    PUBLISH_ADDRESS.isEmpty() ? "(none)" : PUBLISH_ADDRESS);

            int present = 0;
            int seq = 0;
            PierServer pier = null;
            long baseline = 0;
            long baselineRss = 0;
            Histogram baselineHistogram = null;
            for (int size : sizes) {
                long t0 = System.nanoTime();
                createIngresses(cluster, backend, present, size);
                System.out.printf("created Ingresses %d..%d through the API server in %.1f s (%d threads)%n",
                        present, size - 1, (System.nanoTime() - t0) / 1e9, CREATE_THREADS);
                present = size;
                if (pier == null) {
                    // This JVM's own share (API client, backend, bench) before any Pier ever ran.
                    baseline = usedHeapAfterGc();
                    baselineRss = rssBytes();
                    baselineHistogram = Histogram.baseline();
                    dumpHeap(HEAP_DUMP.replaceFirst("(\\.hprof)?$", "-base.hprof"));
                    pier = cluster.startPier(options(cluster, "bench"));
                }
                long t1 = System.nanoTime();
                awaitServed(cluster, pier, "r" + (size - 1));
                System.out.printf("all %d served %.1f s after the last create returned%n", size, (System.nanoTime() - t1) / 1e9);
                // As a Pier that has been running: the timed changes do not share the cores with writing the statuses of
                // every Ingress just created (a one-time cost at start, which made the first changes' times, and so the p99).
                if (!PUBLISH_ADDRESS.isEmpty()) {
                    long t2 = System.nanoTime();
                    awaitStatusesWritten(cluster, "the timed changes");
                    System.out.printf("every status written %.1f s after all were served%n", (System.nanoTime() - t2) / 1e9);
                }
                for (String pattern : PATTERNS) {
                    switch (pattern) {
                        case "isolated" -> {
                            for (String writer : WRITERS) {
                                int n = writer.equals("kubectl") ? KUBECTL_CHANGES : CHANGES;
                                Timings t = changes(cluster, pier, "i" + size + writer.charAt(0) + "-", n, writer, GAP_MILLIS);
                                present += n;
                                t.print("isolated, " + writer, size, loadAverage());
                            }
                        }
                        case "back-to-back" -> {
                            Timings t = changes(cluster, pier, "b" + size + "-", CHANGES, "fabric8", 0);
                            present += CHANGES;
                            t.print("back-to-back, fabric8", size, loadAverage());
                        }
                        case "burst" -> {
                            for (int round = 0; round < BURST_ROUNDS; round++) {
                                burst(cluster, pier, "u" + size + "-" + round + "-", size);
                                present += BURST;
                            }
                        }
                        default -> throw new IllegalArgumentException("unknown pattern " + pattern);
                    }
                }
            }

            // Let the status thread finish writing the last changes' statuses: garbage it makes after the full GC
            // below would count as heap in use.
            Thread.sleep(5_000);
            // Under load the status thread may still be writing 10,000 statuses: its queue and the objects not yet
            // showing their status would make the figure smaller or larger than Pier's steady state.
            if (!PUBLISH_ADDRESS.isEmpty()) awaitStatusesWritten(cluster, "the heap is taken");
            Histogram live = Histogram.take();
            dumpHeap(HEAP_DUMP);
            long withPier = usedHeapAfterGc();
            long rss = rssBytes();
            long liveBytes = live.totalAbove(baselineHistogram);
            System.out.printf("RESULT heap in use by Pier with %,d Ingresses: %.1f MiB = %,d bytes per Ingress in live objects"
                            + " (class histogram after full GC, minus the same before Pier started); used heap after full GC"
                            + " %.1f MiB = %,d bytes per Ingress (%d MiB with Pier, %d MiB before it started)%n",
                    present, liveBytes / 1048576.0, liveBytes / present, (withPier - baseline) / 1048576.0,
                    (withPier - baseline) / present, withPier >> 20, baseline >> 20);
            System.out.printf("RESULT process RSS: %d MiB with Pier, %d MiB before it started (the JVM keeps heap it grew into;"
                            + " -Xms fixes the heap's share)%n", rss >> 20, baselineRss >> 20);
            if (HISTOGRAM > 0) live.printAbove(baselineHistogram, HISTOGRAM, present);

            // Start to serving with the largest set: a fresh Pier, as after a pod restart.
            cluster.stopPier(pier);
            pier = null;
            long afterStop = usedHeapAfterGc();
            System.out.printf("heap still used after that Pier was closed: %d MiB above the baseline%n", (afterStop - baseline) >> 20);
            long t2 = System.nanoTime();
            pier = cluster.startPier(options(cluster, "bench-restart"));
            awaitServed(cluster, pier, "r" + (sizes[sizes.length - 1] - 1));
            double startSeconds = (System.nanoTime() - t2) / 1e9;
            System.out.printf("RESULT start to serving with %,d Ingresses: %.1f s (PierServer.startWithKubernetes until the last one answers 200)%n",
                    present, startSeconds);
            System.out.printf("load average %.2f at the end; bench took %.0f s%n", loadAverage(), (System.nanoTime() - benchStart) / 1e9);
        }
    }

    private static KubeSourceOptions options(Cluster cluster, String identity) {
        KubeSourceOptions options = cluster.options(identity);
        // As deployed: the leader writes Ingress status.loadBalancer, whose watch events come back to Pier.
        return PUBLISH_ADDRESS.isEmpty() ? options : options.withPublishAddress(PUBLISH_ADDRESS);
    }

    /**
     * Ingresses r{from}..r{to-1}, each its own host with one Prefix path to Service web (with {@code -DserviceEach=true}
     * to its own Service web-r{i}, created first with an EndpointSlice naming {@code backend}), created in parallel.
     */
    private static void createIngresses(Cluster cluster, Backend backend, int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            KubernetesClient admin = cluster.admin;
            for (int i = from; i < to; i++) {
                String service = SERVICE_EACH ? "web-r" + i : "web";
                Ingress ingress = cluster.ingress("r" + i, INGRESS_PATH, service);
                done.add(pool.submit(() -> {
                    if (SERVICE_EACH) createService(cluster, service, backend);
                    return admin.network().v1().ingresses().inNamespace(cluster.ns).resource(ingress).create();
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Service {@code name} and its EndpointSlice; one already there is fine: under load fabric8 retries a POST whose
     * answer timed out, and the retry finds what the first one made.
     */
    private static void createService(Cluster cluster, String name, Backend backend) {
        try {
            cluster.admin.services().inNamespace(cluster.ns).resource(Cluster.service(name)).create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409) throw e;
        }
        try {
            cluster.admin.discovery().v1().endpointSlices().inNamespace(cluster.ns)
                    .resource(Cluster.slice(name + "-1", name, backend)).create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409) throw e;
        }
    }

    /** Until every Ingress shows the published address in its status (at most two minutes), then five seconds more. */
    private static void awaitStatusesWritten(Cluster cluster, String before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long without;
        do {
            without = cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).list().getItems().stream()
                    .filter(i -> i.getStatus() == null || i.getStatus().getLoadBalancer() == null
                            || i.getStatus().getLoadBalancer().getIngress() == null
                            || i.getStatus().getLoadBalancer().getIngress().isEmpty())
                    .count();
            if (without > 0) Thread.sleep(1_000);
        } while (without > 0 && System.nanoTime() < deadline);
        System.out.printf("Ingresses still without a status before %s: %d%n", before, without);
        Thread.sleep(5_000);
    }

    /** Per write: how long the write call took and how long until the first 200 through Pier, both from just before the call. */
    record Timings(long[] write, long[] toServed, long swaps) {
        void print(String what, int size, double load) {
            Arrays.sort(write);
            Arrays.sort(toServed);
            System.out.printf("RESULT %s, %,d Ingresses present: write to first 200 p50 %.0f ms, p99 %.0f ms, max %.0f ms"
                            + " | the write call alone p50 %.0f ms, p99 %.0f ms | %d writes, %d table swaps, load average %.2f%n",
                    what, size, pct(toServed, 50), pct(toServed, 99), toServed[toServed.length - 1] / 1e6,
                    pct(write, 50), pct(write, 99), toServed.length, swaps, load);
        }
    }

    /** {@code n} new Ingresses one after another, each after {@code gapMillis} of quiet. */
    private static Timings changes(Cluster cluster, PierServer pier, String prefix, int n, String writer, int gapMillis)
            throws Exception {
        long[] write = new long[n];
        long[] served = new long[n];
        long swapsBefore = pier.state().view().swaps();
        for (int k = 0; k < n; k++) {
            String name = prefix + k;
            if (gapMillis > 0) Thread.sleep(gapMillis);
            Path file = null;
            if (writer.equals("kubectl")) {
                file = Files.createTempFile("kube-bench-", ".yaml");
                Files.writeString(file, cluster.ingressYaml(name, "/", "web"), StandardCharsets.UTF_8);
            }
            Ingress ingress = cluster.ingress(name, "/", "web");
            long start = System.nanoTime();
            if (file == null) {
                cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(ingress).create();
            } else {
                cluster.kubectlOk("apply", "-f", file.toString());
            }
            long written = System.nanoTime();
            awaitOk(cluster, pier, name, start);
            served[k] = System.nanoTime() - start;
            write[k] = written - start;
            if (file != null) Files.delete(file);
        }
        return new Timings(write, served, swapsSince(pier, swapsBefore));
    }

    /** BURST creates as fast as one client goes: how soon the first is served, how soon all are, in how many swaps. */
    private static void burst(Cluster cluster, PierServer pier, String prefix, int size) throws Exception {
        Thread.sleep(GAP_MILLIS);
        long swapsBefore = pier.state().view().swaps();
        long start = System.nanoTime();
        for (int k = 0; k < BURST; k++) {
            cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(cluster.ingress(prefix + k, "/", "web")).create();
        }
        long written = System.nanoTime();
        awaitOk(cluster, pier, prefix + 0, start);
        long first = System.nanoTime();
        awaitOk(cluster, pier, prefix + (BURST - 1), start);
        long last = System.nanoTime();
        long swaps = swapsSince(pier, swapsBefore);
        System.out.printf("RESULT burst of %d creates, %,d Ingresses present: written in %.0f ms; first served %.0f ms,"
                        + " last served %.0f ms after the first write; %d table swaps%n", BURST, size,
                (written - start) / 1e6, (first - start) / 1e6, (last - start) / 1e6, swaps);
    }

    /** Swaps since {@code before}, read after a quiet gap: the data plane serves a new table a moment before the count moves. */
    private static long swapsSince(PierServer pier, long before) throws InterruptedException {
        Thread.sleep(GAP_MILLIS);
        return pier.state().view().swaps() - before;
    }

    private static void awaitOk(Cluster cluster, PierServer pier, String name, long start) throws Exception {
        String host = cluster.host(name);
        while (true) {
            Reply r = cluster.get(pier, host, "/");
            if (r.status() == 200) return;
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(60)) throw new IllegalStateException(name + " not served in 60 s");
            Thread.sleep(2);
        }
    }

    private static void awaitServed(Cluster cluster, PierServer pier, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (cluster.get(pier, cluster.host(name), INGRESS_PATH).status() != 200) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(name + " not served in 5 minutes");
            Thread.sleep(10);
        }
    }

    static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Live objects to {@code file} (nothing when the path is empty), for a look at what holds what. */
    private static void dumpHeap(String file) throws java.io.IOException {
        if (HEAP_DUMP.isEmpty()) return;
        Files.deleteIfExists(Path.of(file));
        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).dumpHeap(file, true);
        System.out.printf("heap dump (live objects): %s%n", file);
    }

    /** The resident set of this process (Linux), 0 where /proc is not there. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }
}
