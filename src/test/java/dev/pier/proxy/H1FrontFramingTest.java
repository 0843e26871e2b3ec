package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link FramingTest}'s cases with Pier's own HTTP/1.1 server ({@link H1Front}, {@code -Dpier.h1front=true}) taking the connections. */
class H1FrontFramingTest extends FramingTest {
    private static boolean wasOn;
    private static long takenBefore;

    @BeforeAll
    static void frontOn() {
        wasOn = H1Front.enabled();
        takenBefore = H1Front.taken();
        H1Front.enabled(true);
    }

    @AfterAll
    static void frontBack() {
        H1Front.enabled(wasOn);
        assertThat(H1Front.taken()).as("connections the front served").isGreaterThan(takenBefore);
    }
}
