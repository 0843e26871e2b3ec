package dev.pier.bench;

import dev.pier.edge.MalformedRequests;
import dev.pier.edge.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The behaviour half of bench/hardening-bench.sh: one recording backend, the proxies under test
 * (started by the script), and per proxy in one table: the 26 malformed requests (the status, and
 * whether the backend saw anything), the size limits, descriptor exhaustion and memory with idle
 * connections. Prints tables; asserts nothing.
 *
 * <pre>
 *   HardeningBench BACKEND_PORT malformed NAME=PORT...      the malformed and limits tables
 *   HardeningBench BACKEND_PORT exhaust N NAME=PORT...      N silent connections, then probes
 *   HardeningBench BACKEND_PORT memory N NAME=PORT=PID...   RSS at rest and with N idle keep-alive connections
 *   HardeningBench BACKEND_PORT backend SECONDS              only the backend (for slowhttptest's requests)
 * </pre>
 */
public final class HardeningBench {
    private static final AtomicInteger backendHits = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        int backendPort = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx();
        HttpServer backend = vertx.createHttpServer(new HttpServerOptions().setMaxInitialLineLength(64 * 1024)
                        .setMaxHeaderSize(256 * 1024))
                .requestHandler(req -> req.body().onComplete(b -> {
                    backendHits.incrementAndGet();
                    req.response().end("ok\n");
                }));
        backend.listen(backendPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
        try {
            String mode = args[1];
            switch (mode) {
                case "malformed" -> malformed(targets(args, 2));
                case "exhaust" -> exhaust(Integer.parseInt(args[2]), targets(args, 3));
                case "memory" -> memory(Integer.parseInt(args[2]), targets(args, 3));
                case "backend" -> Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(args[2])));
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** NAME=PORT or NAME=PORT=PID. */
    private record Target(String name, int port, long pid) {
    }

    private static List<Target> targets(String[] args, int from) throws Exception {
        List<Target> out = new ArrayList<>();
        for (int i = from; i < args.length; i++) {
            String[] p = args[i].split("=");
            Target t = new Target(p[0], Integer.parseInt(p[1]), p.length > 2 ? Long.parseLong(p[2]) : -1);
            waitUntilServing(t);
            out.add(t);
        }
        return out;
    }

    private static void waitUntilServing(Target t) throws Exception {
        for (int i = 0; i < 200; i++) {
            try {
                if (get(t.port(), "/", 2000).status() == 200) return;
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(t.name() + " on port " + t.port() + " does not answer 200");
    }

    private static RawHttp.Answer get(int port, String path, int waitMs) throws IOException {
        return RawHttp.exchange(port, ("GET " + path + " HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), waitMs);
    }

    // ---- malformed requests and limits -------------------------------------------------------

    private static String cell(RawHttp.Answer a, boolean reached) {
        String s = a.status() == 0 ? (a.closed() ? "closed" : "no answer") : Integer.toString(a.status());
        if (a.status() != 0 && !a.closed()) s += " (open)";
        if (reached) s += " REACHED";
        return s;
    }

    private static String probe(Target t, byte[] request) throws Exception {
        backendHits.set(0);
        RawHttp.Answer a = RawHttp.exchange(t.port(), request, 2000);
        Thread.sleep(150); // a request forwarded by mistake arrives by now
        return cell(a, backendHits.get() > 0);
    }

    private static void malformed(List<Target> targets) throws Exception {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        int[] refused = new int[targets.size()];
        for (MalformedRequests.Case c : MalformedRequests.ALL) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                String cell = probe(targets.get(i), c.bytes());
                if (!cell.contains("REACHED") && !cell.startsWith("2")) refused[i]++;
                cells.add(cell);
            }
            rows.put(c.name(), cells);
        }
        List<String> total = new ArrayList<>();
        for (int r : refused) total.add(r + "/" + MalformedRequests.ALL.size() + " refused");
        rows.put("(refused, nothing forwarded)", total);
        print("Malformed requests: status (+close), REACHED = the backend saw a request", targets, rows);

        Map<String, List<String>> limits = new LinkedHashMap<>();
        limits.put("request line 8,100 B", each(targets, t -> probe(t, request("/" + "a".repeat(8100 - 16), 0, 0))));
        limits.put("request line 9 KB", each(targets, t -> probe(t, request("/" + "a".repeat(9 * 1024), 0, 0))));
        limits.put("100 header fields", each(targets, t -> probe(t, request("/", 98, 0))));
        limits.put("101 header fields", each(targets, t -> probe(t, request("/", 99, 0))));
        limits.put("2,000 header fields", each(targets, t -> probe(t, request("/", 2000, 0))));
        limits.put("one 30 KB header", each(targets, t -> probe(t, request("/", 0, 30 * 1024))));
        limits.put("one 33 KB header", each(targets, t -> probe(t, request("/", 0, 33 * 1024))));
        print("Limits: status; REACHED = forwarded", targets, limits);
    }

    /** A GET with {@code extra} small headers (Host and Connection make two more) and one header of {@code big} bytes. */
    private static byte[] request(String path, int extra, int big) {
        StringBuilder b = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n");
        for (int i = 0; i < extra; i++) b.append("X-H").append(i).append(": v\r\n");
        if (big > 0) b.append("X-Big: ").append("b".repeat(big)).append("\r\n");
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private interface Probe {
        String run(Target t) throws Exception;
    }

    private static List<String> each(List<Target> targets, Probe p) throws Exception {
        List<String> out = new ArrayList<>();
        for (Target t : targets) out.add(p.run(t));
        return out;
    }

    // ---- descriptor exhaustion ------------------------------------------------------------------

    /**
     * Opens {@code n} connections that send nothing (more than the proxy's descriptors), then
     * probes with a fresh request every half second: when the first one is answered, and when the
     * proxy has closed the silent ones.
     */
    private static void exhaust(int n, List<Target> targets) throws Exception {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        List<String> accepted = new ArrayList<>();
        List<String> firstAnswer = new ArrayList<>();
        List<String> closedBy = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (Target t : targets) {
            List<Socket> silent = new ArrayList<>();
            int opened = 0;
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port()), 1000);
                    s.setSoTimeout(1);
                    silent.add(s);
                    opened++;
                } catch (IOException e) {
                    s.close();
                }
            }
            long start = System.nanoTime();
            String first = "none in 40 s";
            String allClosed = "not in 40 s";
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(40)) {
                double at = (System.nanoTime() - start) / 1e9;
                if (first.startsWith("none")) {
                    try {
                        if (get(t.port(), "/", 500).status() == 200) first = String.format("%.1f s", at);
                    } catch (IOException e) {
                        // refused or reset: not answered
                    }
                }
                if (allClosed.startsWith("not") && countClosed(silent) == silent.size()) allClosed = String.format("%.1f s", at);
                if (!first.startsWith("none") && !allClosed.startsWith("not")) break;
                Thread.sleep(500);
            }
            accepted.add(opened + " connected");
            firstAnswer.add(first);
            closedBy.add(allClosed);
            for (Socket s : silent) s.close();
            Thread.sleep(1000);
            after.add(Integer.toString(get(t.port(), "/", 5000).status()));
        }
        rows.put(n + " silent connections", accepted);
        rows.put("first probe answered after", firstAnswer);
        rows.put("all silent ones closed by the proxy", closedBy);
        rows.put("probe after the client let go", after);
        print("Descriptor exhaustion (proxies run with 2,048 descriptors)", targets, rows);
    }

    private static int countClosed(List<Socket> sockets) {
        int closed = 0;
        byte[] one = new byte[1];
        for (Socket s : sockets) {
            try {
                if (s.getInputStream().read(one) < 0) closed++;
                else closed++; // an answer (408) also means the proxy dealt with it
            } catch (java.net.SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                closed++; // reset
            }
        }
        return closed;
    }

    // ---- memory ---------------------------------------------------------------------------------

    private static void memory(int n, List<Target> targets) throws Exception {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        List<String> idle = new ArrayList<>();
        List<String> per = new ArrayList<>();
        for (Target t : targets) {
            long before = rssKb(t.pid());
            List<Socket> open = new ArrayList<>();
            byte[] keepAlive = "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            byte[] buf = new byte[4096];
            for (int i = 0; i < n; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port());
                s.setSoTimeout(5000);
                s.getOutputStream().write(keepAlive);
                s.getInputStream().read(buf); // the answer; the connection then idles in keep-alive
                open.add(s);
            }
            Thread.sleep(2000);
            long with = rssKb(t.pid());
            for (Socket s : open) s.close();
            rest.add(String.format("%.1f MB", before / 1024.0));
            idle.add(String.format("%.1f MB", with / 1024.0));
            per.add(String.format("%.1f KB", (with - before) / (double) n));
            Thread.sleep(1000);
        }
        rows.put("RSS at rest (after one request)", rest);
        rows.put("RSS with " + n + " idle keep-alive connections", idle);
        rows.put("per idle connection", per);
        print("Memory (RSS of the process and its children)", targets, rows);
    }

    /** VmRSS of {@code pid} and its children (nginx's and HAProxy's workers), in KB. */
    private static long rssKb(long pid) throws IOException {
        long total = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) total += Long.parseLong(line.replaceAll("\\D", ""));
        }
        Path children = Path.of("/proc/" + pid + "/task/" + pid + "/children");
        if (Files.exists(children)) {
            for (String child : Files.readString(children).trim().split("\\s+")) {
                if (!child.isEmpty()) total += rssKb(Long.parseLong(child));
            }
        }
        return total;
    }

    private static void print(String title, List<Target> targets, Map<String, List<String>> rows) {
        int first = Math.max(28, rows.keySet().stream().mapToInt(String::length).max().orElse(0));
        System.out.println();
        System.out.println(title);
        StringBuilder head = new StringBuilder(String.format("| %-" + first + "s |", "case"));
        StringBuilder rule = new StringBuilder("|" + "-".repeat(first + 2) + "|");
        for (Target t : targets) {
            head.append(String.format(" %-18s |", t.name()));
            rule.append("-".repeat(20)).append("|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (var e : rows.entrySet()) {
            StringBuilder line = new StringBuilder(String.format("| %-" + first + "s |", e.getKey()));
            for (String c : e.getValue()) line.append(String.format(" %-18s |", c));
            System.out.println(line);
        }
    }
}
