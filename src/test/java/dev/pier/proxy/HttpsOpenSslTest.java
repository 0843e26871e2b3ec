package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.BeforeAll;

/** {@link HttpsContract} on BoringSSL (netty-tcnative), the engine Pier picks where the platform has it. */
class HttpsOpenSslTest extends HttpsContract {
    @BeforeAll
    static void openSslLoads() {
        // Pier ships BoringSSL for linux x86_64 and aarch64, where these tests run: it must load there.
        assertThat(OpenSsl.isAvailable()).as("OpenSSL engine: %s", TlsEngine.openSslUnavailableReason()).isTrue();
    }

    @Override
    TlsEngine engine() {
        return TlsEngine.OPENSSL;
    }
}
