package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pier.source.file.ManifestException;
import dev.pier.source.file.ManifestParser;
import dev.pier.source.file.Manifests;
import dev.pier.translate.TranslateOptions;
import dev.pier.translate.TranslationResult;
import dev.pier.translate.TranslationYaml;
import dev.pier.translate.Translator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes translation end to end: whatever objects a file holds, translating them never throws (bad
 * input becomes problems, never an exception), the result prints, and its table compiles for the data
 * plane (the one validation contract: a table that exists compiles). Seeds: golden inputs and
 * examples in {@code TranslateCompileFuzzTestInputs/translate}.
 */
class TranslateCompileFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void translate(byte[] input) {
        Manifests manifests;
        try {
            manifests = ManifestParser.parse("fuzz.yaml", new String(input, StandardCharsets.UTF_8));
        } catch (ManifestException refused) {
            return; // the parser's own fuzz test covers refusals
        }
        TranslationResult result = Translator.translate(ManifestParser.toSnapshot(manifests.objects()), TranslateOptions.DEFAULTS,
                dev.pier.translate.TranslatorGoldenTest.NOW);
        assertThat(TranslationYaml.write(result)).isNotEmpty();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EndpointIndex endpoints = new EndpointIndex();
        endpoints.replaceAll(result.endpoints());
        BackendHealth health = new BackendHealth(OutlierOptions.DEFAULTS, registry, service -> { });
        try {
            CompiledTable first = CompiledTable.compile(result.table(), null, registry, endpoints, health);
            CompiledTable.compile(result.table(), first, registry, endpoints, health);
        } finally {
            health.close();
        }
    }
}
