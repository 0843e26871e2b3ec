package dev.pier.bench;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.cluster.Cluster.Reply;
import dev.pier.testing.KubeApiServer;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Cluster mode against a real API server (the test one: etcd + kube-apiserver on loopback,
 * a backend on a network namespace address), Pier in this JVM:
 * <ul>
 *   <li>API write to first 200: create a new Ingress, poll Pier's proxy port until its host
 *       answers 200; p50/p99/max over CHANGES writes, with 1,000 and then 10,000 Ingresses present;</li>
 *   <li>start to serving: a fresh PierServer with 10,000 Ingresses in the cluster, until the last
 *       Ingress created answers 200;</li>
 *   <li>heap in use by Pier at 10,000 Ingresses: used heap after full GCs with Pier running
 *       minus the same without it.</li>
 * </ul>
 * Run with bench/kube-bench.sh; prints figures, asserts nothing about time.
 */
public final class KubeBench {
    private static final int CHANGES = Integer.getInteger("changes", 200);
    private static final int CREATE_THREADS = Integer.getInteger("createThreads", 16);

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{1_000, 10_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        long benchStart = System.nanoTime();
        try (KubeApiServer kube = KubeApiServer.start(KubeApiServer.findBinaries().orElseThrow(() ->
                new IllegalStateException("no kube-apiserver in " + KubeApiServer.searchedPlaces() + "; run scripts/kube-test-tools.sh")));
             Cluster cluster = Cluster.create(kube, "bench")) {
            Backend backend = cluster.backend("a");
            cluster.serviceFor("web", backend);
            System.out.printf("machine: %d cores, load average %.2f at start; JVM heap max %d MiB%n",
                    Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().maxMemory() >> 20);

            int present = 0;
            PierServer pier = null;
            long baseline = 0;
            for (int size : sizes) {
                long t0 = System.nanoTime();
                createIngresses(cluster, present, size);
                System.out.printf("created Ingresses %d..%d through the API server in %.1f s (%d threads)%n",
                        present, size - 1, (System.nanoTime() - t0) / 1e9, CREATE_THREADS);
                present = size;
                if (pier == null) {
                    // This JVM's own share (API client, backend, bench) before any Pier ever ran.
                    baseline = usedHeapAfterGc();
                    pier = cluster.startPier(cluster.options("bench"));
                }
                long t1 = System.nanoTime();
                awaitServed(cluster, pier, "r" + (size - 1));
                System.out.printf("all %d served %.1f s after the last create returned%n", size, (System.nanoTime() - t1) / 1e9);
                long[] latencies = changes(cluster, pier, size);
                System.out.printf("RESULT write-to-200 with %,d Ingresses present: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d creates)%n",
                        size, pct(latencies, 50), pct(latencies, 99), latencies[latencies.length - 1] / 1e6, latencies.length);
            }

            int total = present + CHANGES * sizes.length;
            long withPier = usedHeapAfterGc();
            System.out.printf("RESULT heap in use by Pier with %,d Ingresses: %d MiB (used after full GC: %d MiB with Pier, %d MiB before it started)%n",
                    total, (withPier - baseline) >> 20, withPier >> 20, baseline >> 20);

            // Start to serving with the largest set: a fresh Pier, as after a pod restart.
            cluster.stopPier(pier);
            pier = null;
            long afterStop = usedHeapAfterGc();
            System.out.printf("heap still used after that Pier was closed: %d MiB above the baseline%n", (afterStop - baseline) >> 20);
            long t2 = System.nanoTime();
            pier = cluster.startPier(cluster.options("bench-restart"));
            awaitServed(cluster, pier, "r" + (present - 1));
            double startSeconds = (System.nanoTime() - t2) / 1e9;
            System.out.printf("RESULT start to serving with %,d Ingresses: %.1f s (PierServer.startWithKubernetes until the last one answers 200)%n",
                    total, startSeconds);
            System.out.printf("bench took %.0f s%n", (System.nanoTime() - benchStart) / 1e9);
        }
    }

    /** Ingresses r{from}..r{to-1}, each its own host with one Prefix path to Service web, created in parallel. */
    private static void createIngresses(Cluster cluster, int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            KubernetesClient admin = cluster.admin;
            for (int i = from; i < to; i++) {
                Ingress ingress = cluster.ingress("r" + i, "/", "web");
                done.add(pool.submit(() -> admin.network().v1().ingresses().inNamespace(cluster.ns).resource(ingress).create()));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
    }

    /** Creates CHANGES new Ingresses one after another; for each, the time from the create call to the first 200 through Pier. */
    private static long[] changes(Cluster cluster, PierServer pier, int size) throws Exception {
        long[] latencies = new long[CHANGES];
        for (int k = 0; k < CHANGES; k++) {
            String name = "c" + size + "-" + k;
            Ingress ingress = cluster.ingress(name, "/", "web");
            long start = System.nanoTime();
            cluster.admin.network().v1().ingresses().inNamespace(cluster.ns).resource(ingress).create();
            String host = cluster.host(name);
            while (true) {
                Reply r = cluster.get(pier, host, "/");
                if (r.status() == 200) break;
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(60)) throw new IllegalStateException(name + " not served in 60 s");
                Thread.sleep(2);
            }
            latencies[k] = System.nanoTime() - start;
        }
        Arrays.sort(latencies);
        return latencies;
    }

    private static void awaitServed(Cluster cluster, PierServer pier, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (cluster.get(pier, cluster.host(name), "/").status() != 200) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(name + " not served in 5 minutes");
            Thread.sleep(10);
        }
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
