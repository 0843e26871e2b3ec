package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD in crds/ against the one the build generates from the classes (the build
 * fails when they differ), and what the committed one must say.
 */
class GatewayRouteCrdTest {

    static final String FILE = "gatewayroutes.pier.dev-v1.yml";
    static final String REFRESH = "mvn -Pupdate-crds process-classes";

    /** Where crd-generator-maven-plugin wrote at process-classes; surefire passes it in. */
    private static final Path GENERATED = Path.of(System.getProperty("pier.generatedCrds", "target/crds"), FILE);
    private static final Path COMMITTED = Path.of("crds", FILE);

    @Test
    void committedCrdIsTheGeneratedOne() throws IOException {
        if (!Files.exists(GENERATED)) {
            fail(GENERATED + " is missing: run the build through process-classes (e.g. mvn test), which generates it");
        }
        if (!Files.exists(COMMITTED)) {
            fail(COMMITTED + " is missing; create it with: " + REFRESH);
        }
        List<String> generated = Files.readAllLines(GENERATED);
        List<String> committed = Files.readAllLines(COMMITTED);
        if (!generated.equals(committed)) {
            fail(COMMITTED + " is stale: it differs from the CRD generated from dev.pier.api (" + GENERATED + ")"
                    + firstDifference(committed, generated) + ". Refresh it with: " + REFRESH + " (then commit crds/)");
        }
    }

    @Test
    void namesScopeAndShortName() {
        CustomResourceDefinition crd = committed();
        assertThat(crd.getMetadata().getName()).isEqualTo("gatewayroutes.pier.dev");
        assertThat(crd.getSpec().getGroup()).isEqualTo("pier.dev");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("GatewayRoute");
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("gatewayroutes");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("gr");
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName).containsExactly("v1alpha1");
    }

    @Test
    void hasTheStatusSubresourceAndPrinterColumns() {
        CustomResourceDefinitionVersion version = committed().getSpec().getVersions().get(0);
        assertThat(version.getServed()).isTrue();
        assertThat(version.getStorage()).isTrue();
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath,
                        CustomResourceColumnDefinition::getType)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("Hostnames", ".spec.hostnames", "string"),
                        org.assertj.core.groups.Tuple.tuple("Accepted", ".status.conditions[?(@.type==\"Accepted\")].status", "string"),
                        org.assertj.core.groups.Tuple.tuple("Age", ".metadata.creationTimestamp", "date"));
    }

    @Test
    void describesRules() {
        JSONSchemaProps rules = property(schema(), "spec", "rules");
        assertThat(rules.getDescription()).contains("rules");
        assertThat(rules.getMinItems()).isEqualTo(1L);
        assertThat(property(schema(), "spec").getRequired()).containsExactly("rules");
    }

    @Test
    void describesEveryField() {
        List<String> undescribed = new ArrayList<>();
        collectUndescribed("", schema(), undescribed);
        assertThat(undescribed).as("properties without a description (add @JsonPropertyDescription)").isEmpty();
    }

    @Test
    void validatesWhatTheSchemaCanSay() {
        JSONSchemaProps rule = schema().getProperties().get("spec").getProperties().get("rules").getItems().getSchema();
        JSONSchemaProps backend = property(rule, "backendRefs").getItems().getSchema();
        assertThat(property(backend, "weight").getMinimum()).isEqualTo(0.0);
        assertThat(property(backend, "weight").getMaximum()).isEqualTo(1_000_000.0);
        assertThat(property(backend, "weight").getDefault().asInt()).isEqualTo(1);
        assertThat(backend.getRequired()).containsExactlyInAnyOrder("name", "port");

        JSONSchemaProps path = property(property(rule, "matches").getItems().getSchema(), "path");
        assertThat(property(path, "type").getEnum()).extracting(n -> n.asText())
                .containsExactlyInAnyOrder("Exact", "PathPrefix", "RegularExpression");

        JSONSchemaProps balancer = property(rule, "loadBalancer");
        assertThat(property(balancer, "type").getEnum()).extracting(n -> n.asText())
                .containsExactlyInAnyOrder("Random", "RoundRobin", "WeightedRoundRobin", "ConsistentHash", "LeastRequest");

        JSONSchemaProps filter = property(rule, "filters").getItems().getSchema();
        JSONSchemaProps statusCode = property(filter, "requestRedirect", "statusCode");
        assertThat(statusCode.getXKubernetesValidations()).singleElement()
                .satisfies(v -> assertThat(v.getRule()).isEqualTo("self in [301, 302, 303, 307, 308]"));
        assertThat(filter.getXKubernetesValidations()).hasSize(5);

        JSONSchemaProps retry = property(rule, "retry");
        assertThat(property(retry, "attempts").getMinimum()).isEqualTo(0.0);
        assertThat(property(retry, "attempts").getMaximum()).isEqualTo(10.0);
        assertThat(property(retry, "backoff").getPattern()).isEqualTo(Durations.PATTERN);
        assertThat(property(rule, "timeouts", "request").getPattern()).isEqualTo(Durations.PATTERN);

        assertThat(property(rule, "resolver", "port").getXKubernetesIntOrString()).isTrue();
        assertThat(property(schema(), "spec", "hostnames").getItems().getSchema().getPattern())
                .isEqualTo(SchemaPatterns.WILDCARD_HOSTNAME);
    }

    private static void collectUndescribed(String at, JSONSchemaProps schema, List<String> out) {
        if (schema.getProperties() != null) {
            for (Map.Entry<String, JSONSchemaProps> e : schema.getProperties().entrySet()) {
                String path = at + "." + e.getKey();
                if (e.getValue().getDescription() == null || e.getValue().getDescription().isBlank()) out.add(path);
                collectUndescribed(path, e.getValue(), out);
            }
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            collectUndescribed(at + "[]", schema.getItems().getSchema(), out);
        }
    }

    private static JSONSchemaProps property(JSONSchemaProps schema, String... names) {
        JSONSchemaProps at = schema;
        for (String name : names) {
            assertThat(at.getProperties()).as("property " + name).containsKey(name);
            at = at.getProperties().get(name);
        }
        return at;
    }

    private static JSONSchemaProps schema() {
        return committed().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    }

    private static CustomResourceDefinition committed() {
        try {
            return new KubernetesSerialization().unmarshal(Files.newInputStream(COMMITTED), CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + COMMITTED, e);
        }
    }

    private static String firstDifference(List<String> committed, List<String> generated) {
        for (int i = 0; i < Math.max(committed.size(), generated.size()); i++) {
            String c = i < committed.size() ? committed.get(i) : "<end of file>";
            String g = i < generated.size() ? generated.get(i) : "<end of file>";
            if (!c.equals(g)) {
                return "; first at line " + (i + 1) + ": committed '" + c.strip() + "', generated '" + g.strip() + "'";
            }
        }
        return "";
    }
}
