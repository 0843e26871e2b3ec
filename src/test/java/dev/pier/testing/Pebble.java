package dev.pier.testing;

import dev.pier.tls.GeneratedCertificate;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * Let's Encrypt's ACME test CA, pebble, on loopback for a test, with its challenge ports pointed at
 * Pier and pebble-challtestsrv as its DNS server (every name resolves to 127.0.0.1), so the CA
 * validates by connecting to Pier as a real CA would. Its own HTTPS certificate is made here and
 * trusted only through the file {@link #trustFile()} (Pier's {@code --acme-trust}); its issuing root
 * is made anew by every pebble and fetched from its management port ({@link #root()}).
 *
 * <p>Validations are not slept on ({@code PEBBLE_VA_NOSLEEP=1}), always performed, nonces never
 * rejected and authorizations never reused unless a test asks ({@link Builder#env}): each run does the same.
 * Binaries: env {@code PIER_PEBBLE_BIN}, else {@code ~/.cache/pier/pebble/v2.10.1/bin} (built by
 * {@code scripts/pebble-tool.sh}). Without them a test is skipped with the reason printed, unless
 * {@code PIER_REQUIRE_PEBBLE=true} or {@code CI=true}, where it fails. Logs go to {@code target/pebble-test/}.
 */
public final class Pebble implements AutoCloseable {
    public static final String VERSION = "v2.10.1";

    private final Path workDir;
    private final Path log;
    private final Process pebble;
    private final Process dns;
    private final int port;
    private final int managementPort;
    private final Path trustFile;

    private Pebble(Path workDir, Path log, Process pebble, Process dns, int port, int managementPort, Path trustFile) {
        this.workDir = workDir;
        this.log = log;
        this.pebble = pebble;
        this.dns = dns;
        this.port = port;
        this.managementPort = managementPort;
        this.trustFile = trustFile;
    }

    /** The binaries' directory; aborts (skips) the test without them, or fails it where they are required. */
    public static Path binaries() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PIER_PEBBLE_BIN");
        if (env != null && !env.isBlank()) candidates.add(Paths.get(env));
        candidates.add(Paths.get(System.getProperty("user.home"), ".cache", "pier", "pebble", VERSION, "bin"));
        Optional<Path> found = candidates.stream()
                .filter(d -> Files.isExecutable(d.resolve("pebble")) && Files.isExecutable(d.resolve("pebble-challtestsrv")))
                .findFirst();
        if (found.isPresent()) return found.get();
        String reason = "pebble not found in " + candidates + "; run scripts/pebble-tool.sh";
        if ("true".equalsIgnoreCase(System.getenv("PIER_REQUIRE_PEBBLE")) || "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(reason + " (required here, so this fails)");
        }
        System.err.println("SKIPPED ACME tests: " + reason);
        Assumptions.abort(reason);
        return null;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** What a test sets: where the CA validates (Pier's ports), certificate profiles, pebble's error injection. */
    public static final class Builder {
        private final String name;
        private int httpPort = 5002;
        private int tlsPort = 5001;
        private final Map<String, Long> profiles = new LinkedHashMap<>(Map.of("default", Duration.ofDays(90).toSeconds()));
        private final Map<String, String> env = new HashMap<>(Map.of(
                "PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", "0", "PEBBLE_AUTHZREUSE", "0"));
        private int listenPort;
        private Pebble replaced;

        private Builder(String name) {
            this.name = name;
        }

        /** The ports HTTP-01 and TLS-ALPN-01 validations connect to: Pier's HTTP and HTTPS ports. */
        public Builder challengePorts(int http, int tls) {
            this.httpPort = http;
            this.tlsPort = tls;
            return this;
        }

        /** A profile besides {@code default} (90 days), by name and validity. */
        public Builder profile(String profile, Duration validity) {
            profiles.put(profile, validity.toSeconds());
            return this;
        }

        /** A pebble environment variable, e.g. {@code PEBBLE_WFE_NONCEREJECT=100} to refuse every request. */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** The directory's port (0: a free one); a pebble restarted on the same port keeps Pier's --acme-directory valid. */
        public Builder port(int port) {
            this.listenPort = port;
            return this;
        }

        /** On the port and with the HTTPS certificate of {@code old} (stopped first): the same CA address, a new CA. */
        public Builder replacing(Pebble old) {
            this.replaced = old;
            this.listenPort = old.port;
            return this;
        }

        public Pebble start() throws Exception {
            Path bin = binaries();
            Path workDir = Files.createTempDirectory("pier-pebble-");
            Path logDir = KubeApiServer.testOutputDir().resolve("pebble-test");
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Files.deleteIfExists(log);
            GeneratedCertificate cert = GeneratedCertificate.selfSigned("localhost", List.of("localhost"),
                    Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(2)), GeneratedCertificate.KeyType.EC_P256);
            Path certFile = workDir.resolve("wfe.crt");
            Path keyFile = workDir.resolve("wfe.key");
            if (replaced != null) {
                Files.copy(replaced.trustFile, certFile);
                Files.copy(replaced.workDir.resolve("wfe.key"), keyFile);
            } else {
                Files.writeString(certFile, cert.certificatePem());
                Files.writeString(keyFile, cert.privateKeyPem());
            }
            int port = listenPort != 0 ? listenPort : KubeApiServer.freePort();
            int management = KubeApiServer.freePort();
            int dnsPort = freeTcpAndUdpPort();
            StringBuilder profileJson = new StringBuilder();
            profiles.forEach((p, seconds) -> profileJson.append(profileJson.isEmpty() ? "" : ",")
                    .append("\"").append(p).append("\":{\"description\":\"").append(p).append("\",\"validityPeriod\":").append(seconds).append("}"));
            Path config = workDir.resolve("pebble-config.json");
            Files.writeString(config, """
                    {"pebble": {
                      "listenAddress": "127.0.0.1:%d",
                      "managementListenAddress": "127.0.0.1:%d",
                      "certificate": "%s",
                      "privateKey": "%s",
                      "httpPort": %d,
                      "tlsPort": %d,
                      "ocspResponderURL": "",
                      "externalAccountBindingRequired": false,
                      "retryAfter": {"authz": 1, "order": 1},
                      "keyAlgorithm": "ecdsa",
                      "profiles": {%s}
                    }}
                    """.formatted(port, management, certFile, keyFile, httpPort, tlsPort, profileJson));
            Process dns = new ProcessBuilder(bin.resolve("pebble-challtestsrv").toString(),
                    "-dnsserver", "127.0.0.1:" + dnsPort, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                    "-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "",
                    "-management", "127.0.0.1:" + KubeApiServer.freePort())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + "-dns.log").toFile()))
                    .start();
            awaitDns(dns, dnsPort, logDir.resolve(name + "-dns.log"));
            ProcessBuilder pb = new ProcessBuilder(bin.resolve("pebble").toString(), "-config", config.toString(),
                    "-dnsserver", "127.0.0.1:" + dnsPort)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Process pebble = pb.start();
            Pebble started = new Pebble(workDir, log, pebble, dns, port, management, certFile);
            try {
                started.awaitReady();
            } catch (Exception e) {
                started.close();
                throw e;
            }
            return started;
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!pebble.isAlive()) throw new IllegalStateException("pebble exited at start:\n" + log());
            try {
                HttpResponse<String> r = client().send(HttpRequest.newBuilder(directory()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("pebble did not answer on " + directory() + ": " + last + "\n" + log());
    }

    /** The directory URL, Pier's {@code --acme-directory}. */
    public URI directory() {
        return URI.create("https://localhost:" + port + "/dir");
    }

    public int port() {
        return port;
    }

    /** The PEM of pebble's own HTTPS certificate: Pier's {@code --acme-trust}. */
    public Path trustFile() {
        return trustFile;
    }

    /** The root that pebble's issued certificates chain to (PEM), made anew by each pebble. */
    public String root() throws Exception {
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + "/roots/0"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("pebble /roots/0: " + r.statusCode());
        return r.body();
    }

    /** Everything pebble logged so far. */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** How many lines of its log match {@code regex}. */
    public int count(String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(log());
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** Orders pebble accepted ("Added order"). */
    public int orders() throws IOException {
        return count("Added order");
    }

    /** Certificates pebble issued. */
    public int issued() throws IOException {
        return count("Issued certificate serial");
    }

    private HttpClient client() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (var in = Files.newInputStream(trustFile)) {
            store.setCertificateEntry("pebble", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Stops pebble only (its DNS server stays), as a CA that went away. */
    public void stop() throws InterruptedException {
        pebble.destroy();
        if (!pebble.waitFor(10, TimeUnit.SECONDS)) pebble.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop();
        dns.destroy();
        if (!dns.waitFor(10, TimeUnit.SECONDS)) dns.destroyForcibly();
        try (var walk = Files.walk(workDir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    /** A loopback port free for both TCP and UDP: the DNS server listens on both, and pebble asks over TCP. */
    private static int freeTcpAndUdpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = KubeApiServer.freePort();
            try (DatagramSocket s = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (java.net.SocketException taken) {
                // the UDP side is in use: another
            }
        }
        throw new IOException("no loopback port free for both TCP and UDP");
    }

    /** Waits until the DNS server accepts TCP connections, so pebble's first lookup finds it. */
    private static void awaitDns(Process dns, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!dns.isAlive()) throw new IllegalStateException("pebble-challtestsrv exited:\n" + Files.readString(log));
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("pebble-challtestsrv does not listen on " + port + ":\n" + Files.readString(log));
    }
}
