package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link DrainTest}'s cases with the escape hatch {@code -Dpier.h1front=false} in effect: cleartext HTTP/1
 * connections go to Vert.x's HTTP/1 server again (the front takes none of them).
 */
class DrainVertxServerTest extends DrainTest {
    private static boolean wasOn;
    private static long takenBefore;

    @BeforeAll
    static void frontOff() {
        wasOn = H1Front.enabled();
        takenBefore = H1Front.taken();
        H1Front.enabled(false);
    }

    @AfterAll
    static void frontBack() {
        H1Front.enabled(wasOn);
        assertThat(H1Front.taken()).as("connections the front served").isEqualTo(takenBefore);
    }
}
