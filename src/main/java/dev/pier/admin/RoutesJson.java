package dev.pier.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pier.LiveState;
import dev.pier.proxy.EndpointHealthView;
import dev.pier.translate.TranslationYaml;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code /routes}: the live routing table, endpoints and statuses (the same document
 * {@code pier translate} prints, as JSON), when it went live, how many swaps, the current source
 * errors (a file that does not parse names its file and line here), warnings (what a file
 * reader skipped, by file and line) and the health of every backend endpoint in use. Certificates
 * appear as fingerprints and expiry only ({@link TranslationYaml}).
 */
public final class RoutesJson {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private RoutesJson() {
    }

    public static String render(LiveState.View view) {
        return render(view, List.of());
    }

    /**
     * With {@code health}: every endpoint of the Services in use, under {@code health} by Service:
     * whether outlier detection has it ejected (and for how long still), and its active checks.
     */
    public static String render(LiveState.View view, List<EndpointHealthView> health) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ready", view.ready());
        root.put("liveSince", view.liveSince() == null ? null : view.liveSince().toString());
        root.put("swaps", view.swaps());
        ObjectNode errors = root.putObject("errors");
        view.sourceErrors().forEach(errors::put);
        ObjectNode warnings = root.putObject("warnings");
        view.sourceWarnings().forEach((source, list) -> {
            var array = warnings.putArray(source);
            list.forEach(array::add);
        });
        if (view.live() != null) root.set("live", TranslationYaml.tree(view.live()));
        ObjectNode byService = root.putObject("health");
        for (EndpointHealthView e : health) {
            ArrayNode list = byService.has(e.service()) ? (ArrayNode) byService.get(e.service()) : byService.putArray(e.service());
            ObjectNode node = list.addObject();
            node.put("endpoint", e.endpoint());
            node.put("ejected", e.ejected());
            if (e.ejected()) node.put("ejectedForMillis", e.ejectedForMillis());
            node.put("ejections", e.ejections());
            node.put("consecutiveFailures", e.consecutiveFailures());
            if (!e.checks().isEmpty()) node.set("checks", JSON.valueToTree(e.checks()));
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
