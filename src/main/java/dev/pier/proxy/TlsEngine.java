package dev.pier.proxy;

import io.netty.handler.ssl.OpenSsl;

/** Which TLS implementation terminates HTTPS ({@code --tls-engine}). */
public enum TlsEngine {
    /** OpenSSL (BoringSSL, from netty-tcnative) where this platform has it, else the JDK's. */
    AUTO,
    /** BoringSSL through netty-tcnative; refused at start where the platform has no build of it. */
    OPENSSL,
    /** The JDK's own TLS (SunJSSE): slower handshakes, no native code. */
    JDK;

    /** AUTO made concrete; OPENSSL where it cannot load is an error naming why. */
    public TlsEngine resolve() {
        return switch (this) {
            case AUTO -> OpenSsl.isAvailable() ? OPENSSL : JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    Throwable why = OpenSsl.unavailabilityCause();
                    throw new IllegalStateException("the OpenSSL TLS engine is not available on this platform: "
                            + (why == null ? "unknown reason" : why.getMessage()));
                }
                yield OPENSSL;
            }
            case JDK -> JDK;
        };
    }

    /** Why AUTO chose the JDK, for the start-up log line. */
    public static String openSslUnavailableReason() {
        Throwable why = OpenSsl.unavailabilityCause();
        return why == null ? "available" : String.valueOf(why.getMessage());
    }
}
