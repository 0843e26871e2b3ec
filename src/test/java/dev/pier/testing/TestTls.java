package dev.pier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for tests, made by the JDK's own keytool (no extra library): a PKCS#12
 * key store for a server and the certificate as PEM, which a client trusts as its own root.
 *
 * @param keyStore  PKCS#12 file holding the key and certificate
 * @param password  its password
 * @param certificatePem the certificate, PEM
 */
public record TestTls(Path keyStore, String password, String certificatePem) {
    /** A certificate for {@code dnsName} (also its subject alternative name), valid from now for two days. */
    public static TestTls selfSigned(Path dir, String dnsName) {
        try {
            Path store = Files.createTempFile(dir, "tls-", ".p12");
            Files.delete(store); // keytool makes it
            String password = "changeit";
            keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=" + dnsName, "-ext", "san=dns:" + dnsName, "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password);
            String pem = keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(), "-storepass", password);
            return new TestTls(store, password, pem);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }
}
