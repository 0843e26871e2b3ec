package dev.pier.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real etcd + kube-apiserver pair on loopback, for tests (no controller-manager: namespaces
 * never finish deleting and nothing is garbage-collected, so tests use fresh namespace names).
 * Get the one shared instance through {@link KubeApiServerExtension}; it stops when the test run ends.
 *
 * <p>Binaries come from system property {@code pier.kube.bin}, env {@code KUBEBUILDER_ASSETS}, or
 * {@code ~/.cache/pier/kube/v1.36.3/bin} (built by {@code scripts/kube-test-tools.sh}).
 * Process logs go to {@code target/kube-test/}.
 */
public final class KubeApiServer implements AutoCloseable {
    public static final String KUBE_VERSION = "v1.36.3";
    /** Service ClusterIPs; kept apart from the 198.19.0.0/16 addresses {@link TestNetns} hands out. */
    public static final String SERVICE_CLUSTER_IP_RANGE = "198.18.128.0/17";
    /** Token users: {@code admin} is in system:masters; {@code pier} has no rights until a test binds some. */
    public static final String ADMIN_USER = "admin";
    public static final String PIER_USER = "pier";

    private final Path binDir;
    private final Path workDir;
    private final Path logDir;
    private final List<Process> processes = new ArrayList<>();
    /** The kube-apiserver command line, kept so {@link #startApiServer()} can bring it back on the same port. */
    private List<String> apiserverCommand;
    private Process apiserver;
    private Process etcd;
    private final String adminToken;
    private final String pierToken;
    private String url;
    private Path kubeconfig;
    private KubernetesClient client;
    private Thread shutdownHook;

    private KubeApiServer(Path binDir, Path workDir, Path logDir) {
        this.binDir = binDir;
        this.workDir = workDir;
        this.logDir = logDir;
        this.adminToken = randomToken();
        this.pierToken = randomToken();
    }

    /** Where the binaries are, or empty with nothing found (the searched places are in {@link #searchedPlaces()}). */
    public static Optional<Path> findBinaries() {
        return candidateDirs().stream()
                .filter(d -> Files.isExecutable(d.resolve("kube-apiserver")) && Files.isExecutable(d.resolve("etcd")))
                .findFirst();
    }

    public static String searchedPlaces() {
        return String.join(", ", candidateDirs().stream().map(Path::toString).toList());
    }

    private static List<Path> candidateDirs() {
        List<Path> dirs = new ArrayList<>();
        String prop = System.getProperty("pier.kube.bin");
        if (prop != null && !prop.isBlank()) dirs.add(Paths.get(prop));
        String assets = System.getenv("KUBEBUILDER_ASSETS");
        if (assets != null && !assets.isBlank()) dirs.add(Paths.get(assets));
        dirs.add(Paths.get(System.getProperty("user.home"), ".cache", "pier", "kube", KUBE_VERSION, "bin"));
        return dirs;
    }

    /** Starts etcd and kube-apiserver from {@code binDir} and waits until /readyz answers ok. */
    public static KubeApiServer start(Path binDir) throws IOException, InterruptedException {
        Path logDir = testOutputDir().resolve("kube-test");
        Files.createDirectories(logDir);
        for (String old : List.of("etcd.log", "kube-apiserver.log")) Files.deleteIfExists(logDir.resolve(old));
        KubeApiServer server = new KubeApiServer(binDir, Files.createTempDirectory("pier-kube-"), logDir);
        try {
            server.startProcesses();
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void startProcesses() throws IOException, InterruptedException {
        shutdownHook = new Thread(this::stopProcesses, "kube-apiserver-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        int etcdClient = freePort();
        int etcdPeer = freePort();
        String etcdUrl = "http://127.0.0.1:" + etcdClient;
        String peerUrl = "http://127.0.0.1:" + etcdPeer;
        etcd = launch("etcd", List.of(
                binDir.resolve("etcd").toString(),
                "--name=pier-test",
                "--data-dir=" + workDir.resolve("etcd"),
                "--listen-client-urls=" + etcdUrl,
                "--advertise-client-urls=" + etcdUrl,
                "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=pier-test=" + peerUrl,
                // Test data is thrown away; skipping fsync makes every write much cheaper.
                "--unsafe-no-fsync=true"));

        KeyPairGenerator gen;
        try {
            gen = KeyPairGenerator.getInstance("RSA");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        gen.initialize(2048);
        KeyPair saKeys = gen.generateKeyPair();
        Path saPrivate = workDir.resolve("sa.key");
        Path saPublic = workDir.resolve("sa.pub");
        Files.writeString(saPrivate, pem("PRIVATE KEY", saKeys.getPrivate().getEncoded()));
        Files.writeString(saPublic, pem("PUBLIC KEY", saKeys.getPublic().getEncoded()));
        Path tokens = workDir.resolve("tokens.csv");
        Files.writeString(tokens, adminToken + "," + ADMIN_USER + ",admin-uid,\"system:masters\"\n"
                + pierToken + "," + PIER_USER + ",pier-uid\n");

        int port = freePort();
        url = "https://127.0.0.1:" + port;
        apiserverCommand = List.of(
                binDir.resolve("kube-apiserver").toString(),
                "--etcd-servers=" + etcdUrl,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + port,
                "--cert-dir=" + workDir.resolve("certs"),
                "--token-auth-file=" + tokens,
                "--authorization-mode=RBAC",
                "--service-account-key-file=" + saPublic,
                "--service-account-signing-key-file=" + saPrivate,
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                // Without a controller-manager nothing makes ServiceAccount tokens, and the
                // "kubernetes" Endpoints would name a loopback address.
                "--disable-admission-plugins=ServiceAccount",
                "--endpoint-reconciler-type=none");
        apiserver = launch("kube-apiserver", apiserverCommand);

        waitReady(apiserver, etcd);
        kubeconfig = workDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, kubeconfigYaml(ADMIN_USER, adminToken));
        client = newClient(adminToken);
    }

    /**
     * Stops only kube-apiserver (etcd and its data stay), to test what clients do while the API
     * server is away. {@link #startApiServer()} brings it back on the same port with the same
     * certificates and tokens. Use from one test at a time: every client of this server sees it.
     */
    public synchronized void stopApiServer() throws InterruptedException {
        if (apiserver == null) return;
        apiserver.destroy();
        if (!apiserver.waitFor(20, TimeUnit.SECONDS)) apiserver.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        processes.remove(apiserver);
        apiserver = null;
    }

    /** Starts kube-apiserver again after {@link #stopApiServer()} and waits until /readyz answers ok. */
    public synchronized void startApiServer() throws IOException, InterruptedException {
        if (apiserver != null) return;
        // Same port: Go listeners set SO_REUSEADDR, so connections of the old process in TIME_WAIT do not block the bind.
        apiserver = launch("kube-apiserver", apiserverCommand);
        waitReady(apiserver, etcd);
    }

    /** Whether kube-apiserver is running (false between {@link #stopApiServer()} and {@link #startApiServer()}). */
    public synchronized boolean apiServerRunning() {
        return apiserver != null && apiserver.isAlive();
    }

    private Process launch(String name, List<String> command) throws IOException {
        Path log = logDir.resolve(name + ".log");
        // Appends, so a restarted kube-apiserver keeps the first run's log.
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        processes.add(p);
        return p;
    }

    private void waitReady(Process apiserver, Process etcd) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create(url + "/readyz"))
                .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!apiserver.isAlive() || !etcd.isAlive()) {
                throw new IllegalStateException((apiserver.isAlive() ? "etcd" : "kube-apiserver")
                        + " exited during startup; see " + logDir + "\n" + tail(logDir.resolve(
                        apiserver.isAlive() ? "etcd.log" : "kube-apiserver.log")));
            }
            try {
                HttpResponse<String> r = http.send(readyz, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("kube-apiserver not ready after 90 s (last /readyz: " + last + "); see " + logDir
                + "\n" + tail(logDir.resolve("kube-apiserver.log")));
    }

    /** The API server URL, e.g. {@code https://127.0.0.1:41234}. */
    public String url() {
        return url;
    }

    /** A shared admin (system:masters) client; do not close it. */
    public KubernetesClient client() {
        return client;
    }

    /** A new client authenticating with {@code token} (e.g. {@link #pierToken()}); the caller closes it. */
    public KubernetesClient newClient(String token) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withOauthToken(token)
                .withTrustCerts(true)
                .withNamespace("default")
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** A new admin client; the caller closes it (for components that own their client). */
    public KubernetesClient newAdminClient() {
        return newClient(adminToken);
    }

    public String adminToken() {
        return adminToken;
    }

    /** Token of user {@code pier}, who starts with no permissions (for RBAC tests). */
    public String pierToken() {
        return pierToken;
    }

    /** An admin kubeconfig file for this server. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** Writes a kubeconfig for another token user (e.g. {@code pier}) and returns its path. */
    public Path kubeconfigFor(String user, String token) throws IOException {
        Path file = workDir.resolve("kubeconfig-" + user);
        Files.writeString(file, kubeconfigYaml(user, token));
        return file;
    }

    /** The kubectl next to the server binaries, if there is one. */
    public Optional<Path> kubectl() {
        Path k = binDir.resolve("kubectl");
        return Files.isExecutable(k) ? Optional.of(k) : Optional.empty();
    }

    /** Runs kubectl with the admin kubeconfig; returns its exit code and combined output. */
    public CommandResult kubectl(String... args) throws IOException, InterruptedException {
        Path k = kubectl().orElseThrow(() -> new IllegalStateException("no kubectl in " + binDir));
        List<String> cmd = new ArrayList<>(List.of(k.toString(), "--kubeconfig=" + kubeconfig));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new CommandResult(p.exitValue(), out);
    }

    public record CommandResult(int exitCode, String output) {}

    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() {
        if (client != null) client.close();
        stopProcesses();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook itself is running or has run
            }
        }
        deleteTree(workDir);
    }

    private synchronized void stopProcesses() {
        // API server first, so it does not log a storm of etcd connection errors.
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    private String kubeconfigYaml(String user, String token) {
        return "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: pier-test\n  cluster:\n    server: " + url + "\n    insecure-skip-tls-verify: true\n"
                + "users:\n- name: " + user + "\n  user:\n    token: " + token + "\n"
                + "contexts:\n- name: pier-test\n  context:\n    cluster: pier-test\n    user: " + user + "\n"
                + "current-context: pier-test\n";
    }

    /** The build output directory (target/), found from where the test classes were loaded. */
    static Path testOutputDir() {
        try {
            Path classes = Paths.get(KubeApiServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent();
        } catch (Exception e) {
            return Paths.get("target");
        }
    }

    /** A port free on loopback now (for a server whose port must be known before it starts). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
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
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp dir is harmless
        }
    }

    /** The API server's certificate is self-signed and made at startup; only this test client talks to it. */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
