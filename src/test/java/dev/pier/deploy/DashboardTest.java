package dev.pier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard: it asks only for metrics Pier documents, and the chart ships it as a ConfigMap when asked. */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("charts/pier/dashboards/pier.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:pier|jvm|process|system)_[a-z_]+)");

    @Test
    void everyMetricTheDashboardQueriesIsDocumented() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("pier-overview");
        String docs = Files.readString(Path.of("docs/metrics.md"));
        Set<String> queried = new TreeSet<>();
        List<JsonNode> targets = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(targets::add));
        assertThat(targets).hasSizeGreaterThan(15);
        for (JsonNode t : targets) {
            Matcher m = METRIC.matcher(t.path("expr").asText());
            while (m.find()) queried.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
        }
        assertThat(queried).contains("pier_requests_total", "pier_request_duration_seconds", "pier_upstream_duration_seconds",
                "pier_config_last_apply_success");
        for (String name : queried) assertThat(docs).as("docs/metrics.md lists " + name).contains("`" + name + "`");
    }

    @Test
    void theChartShipsTheDashboardAsAConfigMapOnlyWhenAsked() throws Exception {
        Optional<Path> helm = HelmChartTest.helm();
        if (helm.isEmpty()) {
            String reason = "helm is not built (scripts/helm-tool.sh): skipping the template check";
            if ("true".equals(System.getenv("PIER_REQUIRE_KUBE"))) org.junit.jupiter.api.Assertions.fail(reason);
            Assumptions.abort(reason);
        }
        String off = template(helm.get());
        assertThat(off).doesNotContain("kind: ConfigMap");
        String on = template(helm.get(), "--set", "grafanaDashboard.enabled=true");
        assertThat(on).contains("kind: ConfigMap").contains("name: t-pier-dashboard").contains("grafana_dashboard: \"1\"")
                .contains("pier.json: |-").contains("\"uid\": \"pier-overview\"");
    }

    private static String template(Path helm, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(helm.toString(), "template", "t", "charts/pier"));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
