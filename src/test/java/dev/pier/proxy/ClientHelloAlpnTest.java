package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.Test;

/** The ALPN offer read from real ClientHellos (the JDK's client makes them), whole, in pieces and not at all. */
class ClientHelloAlpnTest {

    private static byte[] clientHello(String... protocols) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("shop.example.com", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("shop.example.com")));
        parameters.setApplicationProtocols(protocols);
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    @Test
    void reads_the_offered_protocols_without_consuming_them() throws Exception {
        ByteBuf in = Unpooled.wrappedBuffer(clientHello("acme-tls/1"));
        int before = in.readerIndex();
        ClientHelloAlpn.Peek peek = ClientHelloAlpn.peek(in);
        assertThat(peek).isEqualTo(new ClientHelloAlpn.Offer(List.of("acme-tls/1")));
        assertThat(((ClientHelloAlpn.Offer) peek).onlyAcmeTls()).isTrue();
        assertThat(in.readerIndex()).isEqualTo(before);

        ClientHelloAlpn.Offer browser = (ClientHelloAlpn.Offer) ClientHelloAlpn.peek(Unpooled.wrappedBuffer(clientHello("h2", "http/1.1")));
        assertThat(browser.protocols()).containsExactly("h2", "http/1.1");
        assertThat(browser.onlyAcmeTls()).isFalse();
        ClientHelloAlpn.Offer mixed = (ClientHelloAlpn.Offer) ClientHelloAlpn.peek(Unpooled.wrappedBuffer(clientHello("acme-tls/1", "h2")));
        assertThat(mixed.onlyAcmeTls()).as("a validation offers acme-tls/1 alone").isFalse();
        assertThat(((ClientHelloAlpn.Offer) ClientHelloAlpn.peek(Unpooled.wrappedBuffer(clientHello()))).protocols()).isEmpty();
    }

    @Test
    void waits_for_the_whole_first_record() throws Exception {
        byte[] hello = clientHello("acme-tls/1");
        for (int cut : new int[]{0, 3, 5, 40, hello.length - 1}) {
            ByteBuf partial = Unpooled.wrappedBuffer(hello, 0, cut);
            assertThat(ClientHelloAlpn.peek(partial)).as("first " + cut + " bytes").isInstanceOf(ClientHelloAlpn.NeedMore.class);
        }
        ByteBuf twoReads = Unpooled.compositeBuffer().addComponent(true, Unpooled.wrappedBuffer(hello, 0, 100))
                .addComponent(true, Unpooled.wrappedBuffer(hello, 100, hello.length - 100));
        assertThat(ClientHelloAlpn.peek(twoReads)).isEqualTo(new ClientHelloAlpn.Offer(List.of("acme-tls/1")));
    }

    @Test
    void what_is_no_client_hello_offers_nothing_and_is_left_to_the_engine() throws Exception {
        assertThat(ClientHelloAlpn.peek(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", java.nio.charset.StandardCharsets.US_ASCII)))
                .isEqualTo(new ClientHelloAlpn.Offer(List.of()));
        byte[] hello = clientHello("acme-tls/1");
        byte[] truncatedInside = hello.clone();
        truncatedInside[3] = 0; // record length 0x00xx: the handshake claims more than the record holds
        truncatedInside[4] = 60;
        assertThat(ClientHelloAlpn.peek(Unpooled.wrappedBuffer(truncatedInside))).isEqualTo(new ClientHelloAlpn.Offer(List.of()));
    }
}
