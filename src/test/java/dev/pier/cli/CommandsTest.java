package dev.pier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands as a user types them (in-process: same parsing, same output). */
class CommandsTest {

    record Run(int code, String out, String err) {}

    /** Output through picocli's writers only: System.out and System.err are the JVM's, shared with every thread. */
    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new PierCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void translatePrintsTheTableEndpointsAndStatusesOfTheQuickStart() {
        Run run = run("translate", "--file", "examples/quickstart.yaml");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("hostname: demo.local").contains("id: ingress/default/demo/rule/0/path/0")
                .contains("default/demo:80:").contains("port: 8081").contains("port: 8082").contains("statuses:");
    }

    @Test
    void translateOfABrokenFileFailsNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: v1\nkind: Service\nmetadata: {name: [x\n");
        Run run = run("translate", "--file", bad.toString());
        assertThat(run.code()).as("unreadable input prints nothing and exits 2").isEqualTo(2);
        assertThat(run.err()).contains(bad + ":").contains("pier translate:");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void translateExitsOneWhenAnObjectHasAProblemAndStillPrintsTheTable() {
        Run run = run("translate", "--file", "src/test/resources/translate/conflict.in.yaml");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("virtualHosts:").contains("reason: Conflicted");
        assertThat(run.err()).contains("pier translate: problem: Ingress web/newer: spec.rules[0].http.paths[0]: host \"a.example.com\"")
                .contains("4 problems (exit code 1)");
    }

    @Test
    void translateWarnsWithFileAndLineAboutWhatItSkipsAndStillExitsZero(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mixed.yaml");
        Files.writeString(file, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web, namespace: shop}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  ports: [{port: 80}]
                  portz: [{port: 81}]
                """);
        Run run = run("translate", "--file", file.toString());
        assertThat(run.code()).as("warnings alone do not fail").isZero();
        assertThat(run.err())
                .contains("pier translate: warning: " + file + ":1: HTTPRoute web (gateway.networking.k8s.io/v1) is not a kind Pier reads; skipped")
                .contains("pier translate: warning: " + file + ":10: Service web: unknown field spec.portz; ignored");
    }

    @Test
    void serveOnAFileThatDoesNotExistFailsAtStart(@TempDir Path dir) {
        Run run = run("serve", "--file", dir.resolve("nope.yaml").toString(), "--http-port", "0", "--https-port", "0", "--admin-port", "0");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("pier serve: --file " + dir.resolve("nope.yaml") + " does not exist\n");
    }

    @Test
    void aMissingOrBrokenKubeconfigIsOneLine(@TempDir Path dir) throws Exception {
        Run missing = run("serve", "--kubeconfig", dir.resolve("absent").toString(), "--http-port", "0", "--https-port", "0", "--admin-port", "0");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("pier serve: cannot read kubeconfig " + dir.resolve("absent") + ": no such file\n");

        Path broken = dir.resolve("broken");
        Files.writeString(broken, "apiVersion: v1\nclusters: [ {name: x\n");
        Run run = run("serve", "--kubeconfig", broken.toString(), "--http-port", "0", "--https-port", "0", "--admin-port", "0");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("pier serve: kubeconfig " + broken + " is not usable: ").doesNotContain("\tat ")
                .hasLineCount(1);
    }

    @Test
    void aBusyPortNamesAddressAndPort() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            Run run = run("serve", "--file", "examples/quickstart.yaml", "--address", "127.0.0.1",
                    "--http-port", Integer.toString(port), "--https-port", "0", "--admin-port", "0");
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).contains("pier serve: cannot listen on 127.0.0.1:" + port + " for proxied traffic (--http-port): ")
                    .containsIgnoringCase("address already in use").doesNotContain("\tat ");
        }
    }

    @Test
    void aBusyHttpsPortIsNamedAsSuch() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            Run run = run("serve", "--file", "examples/quickstart.yaml", "--address", "127.0.0.1",
                    "--http-port", "0", "--https-port", Integer.toString(port), "--admin-port", "0");
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).contains("pier serve: cannot listen on 127.0.0.1:" + port + " for proxied traffic (--https-port): ")
                    .containsIgnoringCase("address already in use").doesNotContain("\tat ");
        }
    }

    @Test
    void badTlsFlagsAreUsageErrors() {
        assertThat(run("serve", "--file", "examples/quickstart.yaml", "--tls-engine", "gnutls").err())
                .contains("--tls-engine is auto, openssl or jdk");
        Run cert = run("serve", "--file", "examples/quickstart.yaml", "--default-certificate", "no-slash");
        assertThat(cert.code()).isEqualTo(2);
        assertThat(cert.err()).contains("--default-certificate", "not namespace/name");
    }

    @Test
    void anUnknownTransportIsAUsageError() {
        Run run = run("serve", "--file", "examples/quickstart.yaml", "--transport", "kqueue");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--transport is auto, epoll, io_uring or nio, not \"kqueue\"");
    }

    @Test
    void theIngressClassFlagSelectsWhichIngressesAreServed() {
        Run run = run("translate", "--file", "examples/quickstart.yaml", "--ingress-class", "other");
        assertThat(run.code()).isZero();
        assertThat(run.out()).doesNotContain("hostname: demo.local");
    }

    @Test
    void serveWithoutASourceSaysWhatToGive() {
        Run run = run("serve", "--kubeconfig", "", "--http-port", "0");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("give --file PATH");
    }

    @Test
    void aServerHeaderThatCouldForgeAHeaderIsRefusedBeforeAnythingStarts() {
        Run run = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--https-port", "0", "--admin-port", "0",
                "--server-header", "pier\r\nSet-Cookie: x=1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("pier serve: --server-header").contains("cannot hold");
    }

    @Test
    void edgeFlagsThatDoNotParseAreRefusedBeforeAnythingStarts() {
        Run cidr = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--admin-port", "0",
                "--trusted-proxy", "10.0.0.0/8,proxy.example.com");
        assertThat(cidr.code()).isEqualTo(2);
        assertThat(cidr.err()).contains("pier serve: --trusted-proxy not an IP address: proxy.example.com");
        Run duration = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--admin-port", "0",
                "--request-headers-timeout", "ten");
        assertThat(duration.code()).isEqualTo(2);
        assertThat(duration.err()).contains("--request-headers-timeout").contains("invalid duration");
        Run size = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--admin-port", "0",
                "--max-request-body-size", "10MB");
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("--max-request-body-size").contains("invalid size");
    }

    @Test
    void anAdminAddressMustBeAnIpAndOutlierSettingsMustFit() {
        Run name = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--admin-port", "0",
                "--admin-address", "pier.example.com");
        assertThat(name.code()).isEqualTo(2);
        assertThat(name.err()).contains("pier serve: --admin-address \"pier.example.com\" is not an IPv4 or IPv6 address");
        Run outlier = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--admin-port", "0",
                "--outlier-base-ejection", "1m", "--outlier-max-ejection", "30s");
        assertThat(outlier.code()).isEqualTo(2);
        assertThat(outlier.err()).contains("pier serve: --outlier-*: outlier max ejection time must be at least the base");
    }

    @Test
    void versionNamesPierJavaAndVertx() {
        Run run = run("version");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("pier ").contains("java ").contains("vert.x 5.");
    }
}
