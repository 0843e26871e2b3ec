package dev.pier.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.translate.ResourceSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    @Test
    void readsMultiDocumentYamlIntoModelClassesAndSkipsOtherKinds() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  ports: [{name: http, port: 80}]
                ---
                # an empty document and a kind Pier does not read
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                spec:
                  rules: [{host: shop.example.com}]
                """;
        List<HasMetadata> objects = ManifestParser.parse("shop.yaml", yaml).objects();
        assertThat(objects).hasSize(2);
        assertThat(objects.get(0)).isInstanceOf(Service.class);
        assertThat(((Service) objects.get(0)).getSpec().getPorts().get(0).getPort()).isEqualTo(80);
        Ingress ingress = (Ingress) objects.get(1);
        assertThat(ingress.getMetadata().getNamespace()).as("namespace defaults like kubectl's").isEqualTo("default");
        assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("shop.example.com");

        ResourceSnapshot snapshot = ManifestParser.toSnapshot(objects);
        assertThat(snapshot.services()).hasSize(1);
        assertThat(snapshot.ingresses()).hasSize(1);
    }

    @Test
    void aYamlSyntaxErrorNamesFileAndLine() {
        String yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n";
        assertThatThrownBy(() -> ManifestParser.parse("bad.yaml", yaml))
                .isInstanceOfSatisfying(ManifestException.class, e -> {
                    assertThat(e.source()).isEqualTo("bad.yaml");
                    assertThat(e.line()).isBetween(4, 5);
                    assertThat(e.getMessage()).startsWith("bad.yaml:").doesNotContain("\n");
                });
    }

    @Test
    void aWrongFieldTypeNamesTheLineTheObjectAndTheField() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: ok}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: broken}
                spec:
                  ports:
                  - port: eighty
                """;
        assertThatThrownBy(() -> ManifestParser.parse("svc.yaml", yaml))
                .isInstanceOfSatisfying(ManifestException.class, e -> {
                    assertThat(e.line()).isEqualTo(10);
                    assertThat(e.reason()).contains("Service broken").contains("spec.ports[0].port");
                });
    }

    @Test
    void anObjectWithoutKindOrNameIsAnError() {
        assertThatThrownBy(() -> ManifestParser.parse("x.yaml", "apiVersion: v1\nmetadata: {name: a}\n"))
                .hasMessageContaining("x.yaml:1:").hasMessageContaining("no apiVersion or kind");
        assertThatThrownBy(() -> ManifestParser.parse("x.yaml", "apiVersion: v1\nkind: Service\nmetadata: {}\n"))
                .hasMessageContaining("Service has no metadata.name");
    }

    @Test
    void kindsPierDoesNotReadAreSkippedWithAWarningNamingFileAndLine() throws Exception {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                ---
                apiVersion: networking.k8s.io/v1beta1
                kind: Ingress
                metadata: {name: old}
                """;
        Manifests parsed = ManifestParser.parse("mixed.yaml", yaml);
        assertThat(parsed.objects()).isEmpty();
        assertThat(parsed.warnings()).extracting(Object::toString).containsExactly(
                "mixed.yaml:1: Deployment web (apps/v1) is not a kind Pier reads; skipped",
                "mixed.yaml:5: Ingress old (networking.k8s.io/v1beta1) is not a kind Pier reads (Pier reads Ingress as networking.k8s.io/v1); skipped");
    }

    @Test
    void unknownFieldsAreReportedWithTheirPathAndLineAndTheRestIsRead() throws Exception {
        String yaml = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: shop, namespace: web}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: shop.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend: {servic: {name: web}}
                ---
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: gr, namespace: web}
                spec:
                  rules:
                  - backendRef:
                      name: web
                    timeouts: {request: 1s}
                """;
        Manifests parsed = ManifestParser.parse("typos.yaml", yaml);
        assertThat(parsed.objects()).hasSize(2);
        assertThat(((Ingress) parsed.objects().get(0)).getSpec().getRules().get(0).getHost()).isEqualTo("shop.example.com");
        assertThat(parsed.warnings()).extracting(Object::toString).containsExactly(
                "typos.yaml:12: Ingress shop: unknown field spec.rules[0].http.paths[0].backend.servic; ignored",
                "typos.yaml:19: GatewayRoute gr: unknown field spec.rules[0].backendRef; ignored");
    }
}
