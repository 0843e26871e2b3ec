package dev.pier.proxy;

/** {@link HttpsContract} on the JDK's TLS engine ({@code --tls-engine jdk}, and where OpenSSL is missing). */
class HttpsJdkTest extends HttpsContract {
    @Override
    TlsEngine engine() {
        return TlsEngine.JDK;
    }
}
