package dev.pier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands as a user types them (in-process: same parsing, same output). */
class CommandsTest {

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.io.PrintStream stdout = System.out;
        java.io.PrintStream stderr = System.err;
        var outBytes = new java.io.ByteArrayOutputStream();
        var errBytes = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(outBytes, true));
        System.setErr(new java.io.PrintStream(errBytes, true));
        try {
            int code = new CommandLine(new PierCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                    .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
            return new Run(code, outBytes + out.toString(), errBytes + err.toString());
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
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
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains(bad + ":").contains("pier translate:");
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
        Run run = run("serve", "--file", "examples/quickstart.yaml", "--http-port", "0", "--admin-port", "0",
                "--server-header", "pier\r\nSet-Cookie: x=1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("pier serve: --server-header").contains("cannot hold");
    }

    @Test
    void versionNamesPierJavaAndVertx() {
        Run run = run("version");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("pier ").contains("java ").contains("vert.x 5.");
    }
}
