package dev.pier.proxy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link H2cTest}'s cases with the escape hatch {@code -Dpier.h2front=false} in effect: h2c by prior
 * knowledge is served by Vert.x's HTTP/2 server again (its cases assert the front took nothing).
 */
class H2cVertxServerTest extends H2cTest {
    private static boolean frontWasOn;

    @BeforeAll
    static void frontOff() {
        frontWasOn = H2Front.enabled();
        H2Front.enabled(false);
    }

    @AfterAll
    static void frontBack() {
        H2Front.enabled(frontWasOn);
    }
}
