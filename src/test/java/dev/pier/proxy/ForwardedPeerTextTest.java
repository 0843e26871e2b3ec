package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.SocketAddressImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer's text as X-Forwarded-For and X-Real-IP carry it, through the per-loop cache of IPv4 texts. */
class ForwardedPeerTextTest {
    private static SocketAddress peer(String ip, int port) throws Exception {
        return new SocketAddressImpl(new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    @Test
    void addressesSharingACacheSlotEachGetTheirOwnText() throws Exception {
        ForwardedHeaders headers = new ForwardedHeaders(List.of(), RequestTracing.OFF);
        // 10.0.0.1 and 10.1.0.1 fall into the same slot of the direct-mapped cache
        for (int round = 0; round < 3; round++) {
            assertThat(headers.peerText(peer("10.0.0.1", 40000 + round))).isEqualTo("10.0.0.1");
            assertThat(headers.peerText(peer("10.1.0.1", 40000 + round))).isEqualTo("10.1.0.1");
            assertThat(headers.peerText(peer("0.0.0.0", 1))).isEqualTo("0.0.0.0"); // the slots' initial address
        }
    }

    @Test
    void ipv6AndUnknownPeersAreNotCached() throws Exception {
        ForwardedHeaders headers = new ForwardedHeaders(List.of(), RequestTracing.OFF);
        assertThat(headers.peerText(peer("2001:db8::7", 443))).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(headers.peerText(null)).isNull();
    }
}
