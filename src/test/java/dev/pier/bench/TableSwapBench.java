package dev.pier.bench;

import dev.pier.proxy.DataPlane;
import dev.pier.proxy.ProxyOptions;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.TranslationMemo;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.Translator;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time to build and swap a table of N Ingress paths: translate (snapshot -> table) and apply
 * (compile + atomic swap into a running data plane), each repeated, median and max printed.
 * Run with bench/table-swap-bench.sh; not a test (no assertion on time).
 */
public final class TableSwapBench {

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{1_000, 10_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Vertx vertx = dev.pier.proxy.EdgeTransport.vertx(new io.vertx.core.VertxOptions());
        DataPlane plane = new DataPlane(vertx, ProxyOptions.defaults(0), new SimpleMeterRegistry());
        plane.start().await(10, TimeUnit.SECONDS);
        System.out.printf("%8s %8s %14s %14s %14s %14s%n", "paths", "hosts", "translate p50", "translate max", "apply p50", "apply max");
        for (int paths : sizes) {
            ResourceSnapshot snapshot = snapshot(paths);
            int rounds = 15;
            long[] translate = new long[rounds];
            long[] apply = new long[rounds];
            int hosts = 0;
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                TranslationResult result = Translator.translate(snapshot, TranslateOptions.DEFAULTS, java.time.Instant.now());
                long t1 = System.nanoTime();
                plane.replaceEndpoints(result.endpoints());
                plane.apply(result.table());
                long t2 = System.nanoTime();
                translate[i] = t1 - t0;
                apply[i] = t2 - t1;
                hosts = result.table().virtualHosts().size();
            }
            // The first rounds warm the JIT; report the rest.
            long[] t = Arrays.copyOfRange(translate, 5, rounds);
            long[] a = Arrays.copyOfRange(apply, 5, rounds);
            Arrays.sort(t);
            Arrays.sort(a);
            System.out.printf("%8d %8d %11.1f ms %11.1f ms %11.1f ms %11.1f ms%n", paths, hosts,
                    t[t.length / 2] / 1e6, t[t.length - 1] / 1e6, a[a.length / 2] / 1e6, a[a.length - 1] / 1e6);
        }
        plane.close().await(5, TimeUnit.SECONDS);
        int oneChange = Integer.getInteger("oneChange", 10_000);
        if (oneChange > 0) oneChange(vertx, oneChange);
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    /**
     * One new Ingress per round among {@code present} (each its own host, as bench/kube-bench.sh
     * makes them): the pipeline's full rebuild (translate everything, compile every host) against the
     * incremental one (a {@link TranslationMemo}: only the new Ingress is translated and only its host
     * compiled), rounds alternating between two data planes so both see the same load. Wall and CPU
     * time of the rebuilding thread.
     */
    static void oneChange(Vertx vertx, int present) throws Exception {
        Service web = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("bench").endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build();
        List<Ingress> ingresses = new ArrayList<>();
        for (int i = 0; i < present; i++) ingresses.add(ownHost(i));
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        DataPlane full = new DataPlane(vertx, ProxyOptions.defaults(0), new SimpleMeterRegistry());
        DataPlane incremental = new DataPlane(vertx, ProxyOptions.defaults(0), new SimpleMeterRegistry());
        full.start().await(10, TimeUnit.SECONDS);
        incremental.start().await(10, TimeUnit.SECONDS);
        TranslationMemo memo = new TranslationMemo();
        int rounds = Integer.getInteger("oneChangeRounds", 40);
        int warm = rounds / 4;
        long[][] figures = new long[8][rounds - warm]; // per mode: translate wall, cpu; apply wall, cpu
        for (int round = 0; round < rounds; round++) {
            ingresses.add(ownHost(present + round));
            ResourceSnapshot snapshot = new ResourceSnapshot(List.of(), ingresses, List.of(web), List.of(), List.of(), List.of(),
                    List.of(), List.of());
            for (int mode = Integer.getInteger("oneChangeFirstMode", 0); mode < 2; mode++) { // 1: incremental only, to profile it
                DataPlane plane = mode == 0 ? full : incremental;
                long w0 = System.nanoTime();
                long c0 = cpu.getCurrentThreadCpuTime();
                TranslationResult result = mode == 0
                        ? Translator.translate(snapshot, TranslateOptions.DEFAULTS, java.time.Instant.EPOCH)
                        : Translator.translate(snapshot, TranslateOptions.DEFAULTS, java.time.Instant.EPOCH, memo);
                long w1 = System.nanoTime();
                long c1 = cpu.getCurrentThreadCpuTime();
                plane.replaceEndpoints(result.endpoints());
                plane.apply(result.table());
                long w2 = System.nanoTime();
                long c2 = cpu.getCurrentThreadCpuTime();
                if (round >= warm) {
                    int i = round - warm;
                    figures[mode * 4][i] = w1 - w0;
                    figures[mode * 4 + 1][i] = c1 - c0;
                    figures[mode * 4 + 2][i] = w2 - w1;
                    figures[mode * 4 + 3][i] = c2 - c1;
                }
            }
        }
        System.out.printf("%none new Ingress among %,d (each its own host), %d rounds after %d warm-up, load average %.2f%n",
                present, rounds - warm, warm, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("%-12s %22s %22s %22s %22s%n", "rebuild", "translate wall p50/max", "translate cpu p50/max",
                "apply wall p50/max", "apply cpu p50/max");
        for (int mode = 0; mode < 2; mode++) {
            StringBuilder line = new StringBuilder(String.format("%-12s", mode == 0 ? "full" : "incremental"));
            for (int k = 0; k < 4; k++) {
                long[] f = figures[mode * 4 + k].clone();
                Arrays.sort(f);
                line.append(String.format(" %11.1f / %6.1f ms", f[f.length / 2] / 1e6, f[f.length - 1] / 1e6));
            }
            System.out.println(line);
        }
        full.close().await(5, TimeUnit.SECONDS);
        incremental.close().await(5, TimeUnit.SECONDS);
    }

    private static Ingress ownHost(int i) {
        return new IngressBuilder().withNewMetadata().withName("ing-" + i).withNamespace("bench")
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewSpec().withIngressClassName("pier").addNewRule().withHost("h-" + i + ".bench.local")
                .withNewHttp().addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("web")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    }

    /** N paths as N/10 Ingresses of 10 paths each, over N/100 hosts, each path its own Service. */
    static ResourceSnapshot snapshot(int paths) {
        List<Ingress> ingresses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        int perIngress = 10;
        for (int i = 0; i < paths / perIngress; i++) {
            List<HTTPIngressPath> list = new ArrayList<>();
            for (int j = 0; j < perIngress; j++) {
                String svc = "svc-" + i + "-" + j;
                services.add(new ServiceBuilder().withNewMetadata().withName(svc).withNamespace("bench").endMetadata()
                        .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build());
                list.add(new HTTPIngressPathBuilder().withPath("/app-" + i + "/part-" + j).withPathType(j % 3 == 0 ? "Exact" : "Prefix")
                        .withNewBackend().withNewService().withName(svc).withNewPort().withNumber(80).endPort().endService().endBackend().build());
            }
            ingresses.add(new IngressBuilder().withNewMetadata().withName("ing-" + i).withNamespace("bench")
                    .withCreationTimestamp(String.format("2026-01-01T00:%02d:%02dZ", (i / 60) % 60, i % 60)).endMetadata()
                    .withNewSpec().withIngressClassName("pier").addNewRule().withHost("host-" + (i % Math.max(1, paths / 100)) + ".bench.local")
                    .withNewHttp().withPaths(list).endHttp().endRule().endSpec().build());
        }
        return new ResourceSnapshot(List.of(), ingresses, services, List.of(), List.of(), List.of(), List.of(), List.of());
    }

}
