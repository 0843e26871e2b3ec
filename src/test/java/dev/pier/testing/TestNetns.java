package dev.pier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace joined to the host by a veth pair with a /30 out of 198.19.0.0/16 (inside
 * 198.18.0.0/15, the test range): {@link #hostAddress()} on the host side, {@link #nsAddress()}
 * inside. The API server refuses loopback addresses in EndpointSlices, so a backend bound to
 * {@link #hostAddress()} is what tests put there. Needs root; {@link #create()} skips the test
 * with the reason when {@code ip netns} is not allowed. Close it to remove both.
 */
public final class TestNetns implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final String hostIf;
    private final String hostAddress;
    private final String nsAddress;

    private TestNetns(String name, String hostIf, String hostAddress, String nsAddress) {
        this.name = name;
        this.hostIf = hostIf;
        this.hostAddress = hostAddress;
        this.nsAddress = nsAddress;
    }

    /** Creates the namespace, or aborts the calling test (skipped, with the reason) when that is not possible. */
    public static TestNetns create() {
        // A random /30 keeps parallel test JVMs (and left-overs of a killed run) apart; below
        // 198.19.254.0/24, the single-node cluster's bridge (scripts/cluster/node.sh).
        int block = RANDOM.nextInt(254 << 6);
        String id = Integer.toHexString(block) + Integer.toHexString(RANDOM.nextInt(1 << 12));
        String name = "pier-" + id;
        String hostIf = "pvh" + id;
        String nsIf = "pvn" + id;
        int base = block * 4;
        String prefix = "198.19." + (base >> 8) + ".";
        String hostAddress = prefix + ((base & 0xff) + 1);
        String nsAddress = prefix + ((base & 0xff) + 2);
        String first = run("ip", "netns", "add", name);
        if (first != null) {
            Assumptions.abort("cannot create a network namespace (needs root and iproute2): " + first);
        }
        TestNetns netns = new TestNetns(name, hostIf, hostAddress, nsAddress);
        try {
            check(run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf));
            check(run("ip", "link", "set", nsIf, "netns", name));
            check(run("ip", "addr", "add", hostAddress + "/30", "dev", hostIf));
            check(run("ip", "link", "set", hostIf, "up"));
            check(run("ip", "netns", "exec", name, "ip", "addr", "add", nsAddress + "/30", "dev", nsIf));
            check(run("ip", "netns", "exec", name, "ip", "link", "set", nsIf, "up"));
            check(run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"));
        } catch (RuntimeException e) {
            netns.close();
            throw e;
        }
        return netns;
    }

    public String name() {
        return name;
    }

    /** The host side of the veth pair: bind test backends here, put it in EndpointSlices. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The address inside the namespace (reach it with {@link #command}). */
    public String nsAddress() {
        return nsAddress;
    }

    /** A command line that runs {@code command} inside the namespace. */
    public List<String> command(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    @Override
    public void close() {
        run("ip", "netns", "del", name); // takes the namespace end of the veth, and with it the pair
        run("ip", "link", "del", hostIf); // in case the pair was made but not moved yet
    }

    private static void check(String error) {
        if (error != null) throw new IllegalStateException("network namespace setup failed: " + error);
    }

    /** Runs a command; null on success, else its output and exit code. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + ": timed out";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + ": interrupted";
        }
    }
}
