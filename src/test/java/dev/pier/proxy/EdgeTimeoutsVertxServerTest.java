package dev.pier.proxy;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link EdgeTimeoutsTest}'s cases with the escape hatch {@code -Dpier.h1front=false} in effect: cleartext HTTP/1
 * connections go to Vert.x's HTTP/1 server again (the front takes none of them).
 */
@ExtendWith(H1FrontOff.class)
class EdgeTimeoutsVertxServerTest extends EdgeTimeoutsTest {
}
