package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with the escape hatch {@code -Dpier.h1front=false} in effect: cleartext HTTP/1
 * connections go to Vert.x's HTTP/1 server, and the class fails if the front served any of them.
 */
final class H1FrontOff implements BeforeAllCallback, AfterAllCallback {
    private boolean wasOn;
    private long takenBefore;

    @Override
    public void beforeAll(ExtensionContext context) {
        wasOn = H1Front.enabled();
        takenBefore = H1Front.taken();
        H1Front.enabled(false);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        H1Front.enabled(wasOn);
        assertThat(H1Front.taken()).as("connections the front served").isEqualTo(takenBefore);
    }
}
