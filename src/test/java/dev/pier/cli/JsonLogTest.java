package dev.pier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The JSON log format serve uses: one object per line, an event's key-value pairs as fields of their own. */
class JsonLogTest {

    @Test
    void keyValuePairsBecomeFieldsBesideTimeLevelLoggerAndMessage() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        LoggerContext context = new LoggerContext(); // not the global one: the test's own logs stay as they are
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Logging.class.getResource("/logback-json.xml"));
            context.getLogger("dev.pier.Pipeline").atWarn()
                    .addKeyValue("object", "shop/web").addKeyValue("kind", "Ingress")
                    .addKeyValue("field", "spec.rules[0].http.paths[0].backend.service.name")
                    .addKeyValue("line", 12)
                    .log("problem: {}", "Service shop/gone not found");
        } finally {
            context.stop();
            System.setOut(stdout);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        System.err.println(lines[0]);
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertThat(line.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("logger").asText()).isEqualTo("dev.pier.Pipeline");
        assertThat(line.get("message").asText()).isEqualTo("problem: Service shop/gone not found");
        assertThat(line.get("object").asText()).isEqualTo("shop/web");
        assertThat(line.get("kind").asText()).isEqualTo("Ingress");
        assertThat(line.get("field").asText()).isEqualTo("spec.rules[0].http.paths[0].backend.service.name");
        assertThat(line.get("line").asInt()).isEqualTo(12);
    }
}
