package dev.pier.proxy;

import static dev.pier.proxy.Fixture.host;
import static dev.pier.proxy.Fixture.route;
import static dev.pier.proxy.Fixture.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.PathMatch;
import dev.pier.testing.H2spec;
import org.junit.jupiter.api.Test;

/** Every h2spec case passes on h2c (issue 9, "HTTP/2": 4 of 145 failed, a lower stream id was served). */
class H2specTest {
    @Test
    void everyCasePassesOnH2c() throws Exception {
        var binary = H2spec.requireBinary();
        try (Fixture f = new Fixture()) {
            f.endpoints("svc", f.backend("svc", req -> req.body().onSuccess(b -> req.response().end("ok\n"))));
            f.plane.apply(table(host("*", route("r", PathMatch.prefix("/"), "svc"))));
            long frontTookBefore = H2Front.taken();
            H2spec.Report report = H2spec.run(binary, "127.0.0.1", f.port, false);
            assertThat(H2Front.taken() - frontTookBefore).as("h2c connections H2Front served")
                    .matches(took -> H2Front.enabled() ? took > 0 : took == 0);
            assertThat(report.passed()).as(report.output()).hasSizeGreaterThan(100);
            assertThat(report.failed()).as(report.output()).isEmpty();
        }
    }
}
