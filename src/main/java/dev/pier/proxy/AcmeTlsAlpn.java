package dev.pier.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The ACME TLS-ALPN-01 responder (RFC 8737) in the HTTPS listener, for both engines: the listener
 * also offers the {@code acme-tls/1} protocol (last, so a client offering anything else never gets
 * it); each connection's first record is read before the engine sees it ({@link ClientHelloAlpn}),
 * and a handshake that offers only {@code acme-tls/1} is marked while the engine processes it, so
 * {@link SniKeyManager} answers with the challenge certificate for its server name. Once that
 * handshake is done the connection is closed, as the RFC has the validator do: it never reaches
 * Vert.x's HTTP layer (which knows no such protocol).
 *
 * <p>Both engines choose the certificate inside the call that feeds them the ClientHello, on the
 * connection's event loop (delegated tasks run in place: Pier does not set {@code useWorkerThread}),
 * so the mark is a thread-local set around that call.
 */
final class AcmeTlsAlpn {
    private static final ThreadLocal<Boolean> VALIDATION = new ThreadLocal<>();
    /** Vert.x's handler that turns a finished handshake into an HTTP connection (NetServerImpl names it so). */
    static final String VERTX_HANDSHAKE_HANDLER = "handshaker";

    private AcmeTlsAlpn() {
    }

    /** Whether the handshake being processed on this thread is an ACME validation. */
    static boolean validationHandshake() {
        return VALIDATION.get() != null;
    }

    /** {@code engine} with the responder added. */
    static SSLEngineOptions options(TlsEngine engine) {
        return engine == TlsEngine.OPENSSL ? new OpenSsl(new OpenSSLEngineOptions().setSessionCacheEnabled(true)) : new Jdk();
    }

    private static final class OpenSsl extends OpenSSLEngineOptions {
        OpenSsl(OpenSSLEngineOptions base) {
            super(base);
        }

        @Override
        public OpenSSLEngineOptions copy() {
            return new OpenSsl(this);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new Factory(super.sslContextFactory());
        }
    }

    private static final class Jdk extends JdkSSLEngineOptions {
        Jdk() {
        }

        Jdk(Jdk other) {
            super(other);
        }

        @Override
        public JdkSSLEngineOptions copy() {
            return new Jdk(this);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new Factory(super.sslContextFactory());
        }
    }

    /** Vert.x's factory, with {@code acme-tls/1} added to the protocols and the context wrapped. */
    private static final class Factory implements SslContextFactory {
        private final SslContextFactory vertx;

        Factory(SslContextFactory vertx) {
            this.vertx = vertx;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            vertx.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory forServer(ClientAuth clientAuth) {
            vertx.forServer(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(javax.net.ssl.SNIServerName serverName, String endpointIdentificationAlgorithm) {
            vertx.forClient(serverName, endpointIdentificationAlgorithm);
            return this;
        }

        @Override
        public SslContextFactory enabledProtocols(Set<String> enabledProtocols) {
            vertx.enabledProtocols(enabledProtocols);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            vertx.keyMananagerFactory(kmf);
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            vertx.trustManagerFactory(tmf);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
            vertx.enabledCipherSuites(enabledCipherSuites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
            List<String> protocols = new ArrayList<>(applicationProtocols);
            if (!protocols.contains(ClientHelloAlpn.ACME_TLS_1)) protocols.add(ClientHelloAlpn.ACME_TLS_1);
            vertx.applicationProtocols(protocols);
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            return new Context(vertx.create());
        }
    }

    /** The engine's own context; only its handlers are replaced by {@link PeekingHandler}. */
    private static final class Context extends DelegatingSslContext {
        Context(SslContext engineContext) {
            super(engineContext);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
        }

        @Override
        protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
            // The engine's handler is made only for its engine (for OpenSSL, one in the mode SslHandler drives best).
            return new PeekingHandler(super.newHandler(alloc, startTls, executor).engine(), startTls, executor);
        }

        @Override
        protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls, Executor executor) {
            return new PeekingHandler(super.newHandler(alloc, peerHost, peerPort, startTls, executor).engine(), startTls, executor);
        }
    }

    /** An SslHandler that reads the ClientHello's ALPN offer before its engine does. */
    private static final class PeekingHandler extends SslHandler {
        /** Null until the first record is read. */
        private Boolean validation;

        PeekingHandler(SSLEngine engine, boolean startTls, Executor executor) {
            super(engine, startTls, executor);
            handshakeFuture().addListener(done -> {
                if (done.isSuccess() && ClientHelloAlpn.ACME_TLS_1.equals(applicationProtocol())) {
                    Channel channel = (Channel) done.getNow();
                    // Before Vert.x hears of the handshake: this connection is no HTTP connection.
                    if (channel.pipeline().get(VERTX_HANDSHAKE_HANDLER) != null) channel.pipeline().remove(VERTX_HANDSHAKE_HANDLER);
                    channel.close();
                }
            });
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws SSLException {
            if (validation == null) {
                ClientHelloAlpn.Peek peek = ClientHelloAlpn.peek(in);
                // Nothing goes to the engine before the first record is whole; it could not answer before that either.
                if (!(peek instanceof ClientHelloAlpn.Offer offer)) return;
                validation = offer.onlyAcmeTls();
            }
            if (!validation) {
                super.decode(ctx, in, out);
                return;
            }
            VALIDATION.set(Boolean.TRUE);
            try {
                super.decode(ctx, in, out);
            } finally {
                VALIDATION.remove();
            }
        }
    }
}
