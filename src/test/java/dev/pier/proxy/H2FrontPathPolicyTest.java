package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link PathPolicyTest}'s cases with h2 connections served by {@link H2Front} instead of Vert.x's HTTP/2 server. */
class H2FrontPathPolicyTest extends PathPolicyTest {
    private static long takenBefore;

    @BeforeAll
    static void frontOn() {
        takenBefore = H2Front.taken();
        H2Front.enabled(true);
    }

    @AfterAll
    static void frontOff() {
        H2Front.enabled(false);
        assertThat(H2Front.taken()).as("h2 connections the front served").isGreaterThan(takenBefore);
    }
}
