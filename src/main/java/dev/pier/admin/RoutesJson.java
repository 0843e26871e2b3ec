package dev.pier.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pier.LiveState;
import dev.pier.translate.TranslationYaml;
import java.io.UncheckedIOException;

/**
 * {@code /routes}: the live routing table, endpoints and statuses (the same document
 * {@code pier translate} prints, as JSON), when it went live, how many swaps, the current source
 * errors (a file that does not parse names its file and line here) and warnings (what a file
 * reader skipped, by file and line).
 */
public final class RoutesJson {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private RoutesJson() {
    }

    public static String render(LiveState.View view) {
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
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
