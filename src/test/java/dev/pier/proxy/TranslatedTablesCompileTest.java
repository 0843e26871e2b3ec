package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.pier.model.RoutingTable;
import dev.pier.source.file.ManifestParser;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.Translator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validation contract end to end: every table translation gives, from every golden input and
 * every {@code examples/} file, compiles into a {@link CompiledTable}. The compiler has no
 * catch-all that drops routes, so a route it could not compile fails here as the translation bug it is.
 */
class TranslatedTablesCompileTest {

    static Stream<Path> inputs() throws IOException {
        Stream.Builder<Path> all = Stream.builder();
        try (Stream<Path> golden = Files.list(Path.of("src/test/resources/translate"));
             Stream<Path> examples = Files.list(Path.of("examples"))) {
            golden.filter(p -> p.toString().endsWith(".in.yaml")).sorted().forEach(all::add);
            examples.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(all::add);
        }
        return all.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void compiles(Path input) throws Exception {
        String text = Files.readString(input, StandardCharsets.UTF_8);
        // Golden inputs may set options on their first line; allowing ExternalName and every resolver
        // namespace gives the compiler the most routes to chew on.
        TranslateOptions options = new TranslateOptions("pier", TranslateOptions.CONTROLLER_NAME, true,
                java.util.Set.of("apps", "web", "shared"), null);
        var result = Translator.translate(ManifestParser.toSnapshot(
                ManifestParser.parse(input.toString(), text).objects()), options,
                dev.pier.translate.TranslatorGoldenTest.NOW);
        RoutingTable table = result.table();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EndpointIndex endpoints = new EndpointIndex();
        endpoints.replaceAll(result.endpoints()); // balancers get their endpoints while compiling
        BackendHealth health = new BackendHealth(OutlierOptions.DEFAULTS, registry, service -> { });
        assertThatCode(() -> {
            CompiledTable first = CompiledTable.compile(table, null, registry, endpoints, health);
            CompiledTable.compile(table, first, registry, endpoints, health); // the carry-over path of a swap
        }).as("compiling the table of %s", input).doesNotThrowAnyException();
        health.close();
    }
}
