package dev.pier.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node cluster on this machine, started and stopped by {@code scripts/cluster/node.sh}:
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy (from
 * {@code scripts/kube-test-tools.sh}), pods run by containerd, images from
 * {@code scripts/cluster/images.sh}. {@link #close()} takes everything down (processes,
 * containers, network namespaces, mounts, iptables chains, cgroups, sysctls), and so does a
 * JVM shutdown hook if the test run is interrupted. Logs are copied to {@code target/local-cluster/}.
 */
public final class LocalCluster implements TestCluster {
    private static final Path NODE_SCRIPT = Paths.get("scripts", "cluster", "node.sh");
    private static final List<String> KUBE_BINARIES = List.of("etcd", "kube-apiserver", "kube-controller-manager",
            "kube-scheduler", "kubelet", "kube-proxy", "kubectl");
    private static final List<String> HOST_COMMANDS = List.of("containerd", "containerd-shim-runc-v2", "runc", "ctr",
            "iptables", "conntrack", "openssl", "ip", "curl");

    private final Path dir;
    private final Path bin;
    private final Map<String, String> env;
    private final Duration upTime;
    private final KubernetesClient client;
    private Thread shutdownHook;
    private boolean closed;

    private LocalCluster(Path dir, Path bin, Map<String, String> env, Duration upTime) throws IOException {
        this.dir = dir;
        this.bin = bin;
        this.env = env;
        this.upTime = upTime;
        Path kubeconfig = Path.of(env.get("KUBECONFIG"));
        this.client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString())).build();
    }

    /** The Kubernetes binaries' directory, the same one the API-server tests use. */
    static Optional<Path> binaries() {
        return KubeApiServer.findBinaries().filter(d -> KUBE_BINARIES.stream().allMatch(b -> Files.isExecutable(d.resolve(b))));
    }

    /** The kubectl next to the API server binaries (any cluster's kubeconfig works with it). */
    public static Optional<Path> kubectl() {
        return KubeApiServer.findBinaries().map(d -> d.resolve("kubectl")).filter(Files::isExecutable);
    }

    static Path imageDir() {
        String dir = System.getenv("PIER_IMAGE_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        return Path.of(System.getProperty("user.home"), ".cache", "pier", "images");
    }

    /** Why this machine cannot run the cluster, or empty when it can. */
    public static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) return Optional.of("needs root (kubelet, containerd, network namespaces)");
        if (binaries().isEmpty()) {
            return Optional.of("kubelet, kube-proxy, kube-controller-manager or kube-scheduler not found next to kube-apiserver in "
                    + KubeApiServer.searchedPlaces() + "; run scripts/kube-test-tools.sh");
        }
        for (String image : List.of("pause", "backend", "pier")) {
            if (!Files.isRegularFile(imageDir().resolve(image + ".tar"))) {
                return Optional.of(imageDir().resolve(image + ".tar") + " not found; run scripts/cluster/images.sh");
            }
        }
        for (String command : HOST_COMMANDS) {
            if (!onPath(command)) return Optional.of(command + " not found; scripts/test.sh installs it");
        }
        if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge"))) {
            return Optional.of("/usr/lib/cni/bridge not found (containernetworking-plugins); scripts/test.sh installs it");
        }
        return Optional.empty();
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    /** Starts the cluster (about 10 s on 2 cores once binaries and images exist) and waits until its node is Ready. */
    public static LocalCluster start() throws IOException, InterruptedException {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException(unavailableReason().orElse("no binaries")));
        // Outside target/: `mvn clean` must never meet a mount a killed run left behind.
        Path dir = Files.createTempDirectory("pier-cluster-");
        Path logs = logDir();
        Files.createDirectories(logs);
        Thread hook = new Thread(() -> down(dir), "local-cluster-down");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        // Up to 30 minutes of it may be waiting for a cluster another work tree's test is using.
        Result up = script("up", dir, bin, logs.resolve("node-up.log"), Duration.ofMinutes(40));
        if (up.exitCode() != 0) {
            down(dir);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw new IllegalStateException("scripts/cluster/node.sh up failed (exit " + up.exitCode() + "); see "
                    + logs + "\n" + tail(logs.resolve("node-up.log")));
        }
        Map<String, String> env = new HashMap<>();
        for (String line : up.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        LocalCluster cluster = new LocalCluster(dir, bin, env, Duration.ofNanos(System.nanoTime() - start));
        cluster.shutdownHook = hook;
        return cluster;
    }

    private record Result(int exitCode, String stdout) {}

    private static Result script(String action, Path dir, Path bin, Path log, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(NODE_SCRIPT.toString(), action, dir.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("PIER_KUBE_BIN", bin.toString());
        pb.environment().put("PIER_IMAGE_DIR", imageDir().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out);
        }
        return new Result(p.exitValue(), out);
    }

    private static void down(Path dir) {
        try {
            Path logs = logDir();
            Files.createDirectories(logs);
            Result r = script("down", dir, binaries().orElse(dir.resolve("bin")), logs.resolve("node-down.log"), Duration.ofMinutes(3));
            copyLogs(dir.resolve("logs"), logs);
            copyLogs(dir.resolve("pod-logs"), logs.resolve("pods"));
            // Kept when the take-down failed: deleting through a mount left behind would do harm.
            if (r.exitCode() == 0) deleteTree(dir);
            else System.err.println("scripts/cluster/node.sh down " + dir + " failed; see " + logs);
        } catch (IOException e) {
            System.err.println("taking the local cluster down failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Path logDir() {
        return KubeApiServer.testOutputDir().resolve("local-cluster");
    }

    /** How long `node.sh up` took, from start to a Ready node with the images imported. */
    public Duration upTime() {
        return upTime;
    }

    /** The kubectl built with the cluster's binaries. */
    public Path kubectlBinary() {
        return bin.resolve("kubectl");
    }

    @Override
    public String description() {
        return "local single-node cluster (containerd " + env.getOrDefault("NODE_NAME", "") + ")";
    }

    @Override
    public Path kubeconfig() {
        return Path.of(env.get("KUBECONFIG"));
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public URI nodePortUri(int nodePort) {
        return URI.create("http://" + nodeAddress() + ":" + nodePort);
    }

    @Override
    public String nodeAddress() {
        return env.get("NODE_IP");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        client.close();
        down(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    /** Copies a directory tree of logs (the components', and the pods' under pods/). */
    private static void copyLogs(Path from, Path to) {
        if (!Files.isDirectory(from)) return;
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                Files.createDirectories(target.getParent());
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not copy cluster logs: " + e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.toList());
            all.sort((a, b) -> b.getNameCount() - a.getNameCount());
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("left " + dir + " behind: " + e);
        }
    }
}
