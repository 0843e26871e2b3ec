package dev.pier.proxy;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The pom's io_uring run of the data plane tests (which turns on extension autodetection to load
 * this): where the transport {@code -Dpier.test.transport} names cannot load here, every test is
 * skipped with Netty's reason, unless {@code PIER_REQUIRE_IO_URING=true}, where the fixtures fail.
 */
public final class TestTransportCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if ("true".equals(System.getenv("PIER_REQUIRE_IO_URING"))) return ConditionEvaluationResult.enabled("required");
        try {
            Fixture.TRANSPORT.resolve();
            return ConditionEvaluationResult.enabled("on " + Fixture.TRANSPORT.flagValue());
        } catch (IllegalStateException e) {
            return ConditionEvaluationResult.disabled("skipped on " + Fixture.TRANSPORT.flagValue() + ": " + e.getMessage());
        }
    }
}
