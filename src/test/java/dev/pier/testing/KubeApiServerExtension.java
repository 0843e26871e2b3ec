package dev.pier.testing;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a running {@link KubeApiServer}: one per JVM, kept in the root store and stopped
 * when the test run ends. Without the binaries the tests are skipped with the reason printed,
 * unless env {@code PIER_REQUIRE_KUBE=true} (CI), where they fail.
 *
 * <pre>
 * &#64;ExtendWith(KubeApiServerExtension.class)
 * class MyTest {
 *     &#64;Test void works(KubeApiServer kube) { kube.client().namespaces().list(); }
 * }
 * </pre>
 */
public final class KubeApiServerExtension implements BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KubeApiServerExtension.class);

    /** Per test rather than per class, so that without binaries each test is reported as skipped. */
    @Override
    public void beforeEach(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.getParameter().getType() == KubeApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) throws ParameterResolutionException {
        return server(extension);
    }

    /** The shared server, started on first use. */
    public static KubeApiServer server(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        Holder holder = store.getOrComputeIfAbsent(Holder.class, k -> new Holder(), Holder.class);
        return holder.get();
    }

    /** Starts at most once; remembers a failure so every later test reports it instead of retrying. */
    private static final class Holder implements AutoCloseable {
        private KubeApiServer server;
        private RuntimeException failure;
        private String skipReason;

        synchronized KubeApiServer get() {
            if (server != null) return server;
            if (skipReason != null) Assumptions.abort(skipReason);
            if (failure != null) throw failure;
            Optional<Path> bin = KubeApiServer.findBinaries();
            if (bin.isEmpty()) {
                String reason = "kube-apiserver not found in " + KubeApiServer.searchedPlaces()
                        + "; run scripts/kube-test-tools.sh";
                if ("true".equalsIgnoreCase(System.getenv("PIER_REQUIRE_KUBE"))) {
                    failure = new IllegalStateException(reason + " (PIER_REQUIRE_KUBE=true, so this fails)");
                    throw failure;
                }
                System.err.println("SKIPPED kube tests: " + reason);
                skipReason = reason;
                Assumptions.abort(reason);
            }
            try {
                server = KubeApiServer.start(bin.get());
                return server;
            } catch (Exception e) {
                failure = new IllegalStateException("could not start the test API server from " + bin.get() + ": " + e.getMessage(), e);
                throw failure;
            }
        }

        @Override
        public synchronized void close() {
            if (server != null) server.close();
        }
    }
}
