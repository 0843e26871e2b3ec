package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The edge transport leaves out the socket options that Netty's own defaults already give an
 * accepted socket (a syscall each per connection); what the sockets end up with must not change.
 */
class EdgeTransportTest {
    private Vertx vertx;

    @AfterEach
    void close() throws Exception {
        if (vertx != null) vertx.close().await(5, TimeUnit.SECONDS);
    }

    /** TCP_NODELAY and SO_KEEPALIVE of the server side of one accepted connection. */
    private List<Boolean> acceptedOptions(IoTransport transport, HttpServerOptions options) throws Exception {
        try {
            transport.resolve();
        } catch (IllegalStateException e) {
            System.err.println("Skipped on " + transport.flagValue() + ": " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
        vertx = EdgeTransport.vertx(new VertxOptions(), transport);
        CompletableFuture<List<Boolean>> seen = new CompletableFuture<>();
        String expectedChannel = switch (transport) {
            case AUTO, EPOLL -> transport == IoTransport.AUTO && !io.vertx.core.transport.Transport.EPOLL.available() ? "Nio" : "Epoll";
            case IO_URING -> "IoUring";
            case NIO -> "Nio";
        };
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(c -> {
                    io.netty.channel.Channel channel = ((ConnectionBase) c).channel();
                    if (!channel.getClass().getSimpleName().startsWith(expectedChannel)) {
                        seen.completeExceptionally(new AssertionError("accepted on " + channel.getClass().getName()));
                    }
                    ChannelConfig config = channel.config(); // reads the socket itself
                    seen.complete(List.of(config.getOption(ChannelOption.TCP_NODELAY), config.getOption(ChannelOption.SO_KEEPALIVE)));
                })
                .requestHandler(r -> r.response().end());
        server.listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return seen.get(5, TimeUnit.SECONDS);
        } finally {
            server.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** Every transport Pier can run on; one that cannot load here is skipped, saying why. */
    @ParameterizedTest
    @EnumSource(IoTransport.class)
    void acceptedSocketsKeepNoDelayOnAndKeepAliveOff(IoTransport transport) throws Exception {
        assertThat(acceptedOptions(transport, new HttpServerOptions().setTcpNoDelay(true))).containsExactly(true, false);
    }

    @ParameterizedTest
    @EnumSource(IoTransport.class)
    void optionsThatDifferFromNettysDefaultsAreStillSet(IoTransport transport) throws Exception {
        assertThat(acceptedOptions(transport, new HttpServerOptions().setTcpNoDelay(false).setTcpKeepAlive(true)))
                .containsExactly(false, true);
    }
}
