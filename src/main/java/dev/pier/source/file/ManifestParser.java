package dev.pier.source.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import dev.pier.api.GatewayRoute;
import dev.pier.translate.ResourceSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads multi-document YAML of Kubernetes objects into fabric8 model classes: the one YAML
 * setup of the project. A document of a kind Pier does not read is skipped; a document that
 * does not parse, or lacks apiVersion/kind/metadata.name, fails the whole file with a
 * {@link ManifestException} naming the file, line and reason (files apply all-or-nothing).
 */
public final class ManifestParser {

    /** apiVersion + "/" + kind -> model class. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("networking.k8s.io/v1/IngressClass", IngressClass.class);
        KINDS.put("networking.k8s.io/v1/Ingress", Ingress.class);
        KINDS.put("v1/Service", Service.class);
        KINDS.put("discovery.k8s.io/v1/EndpointSlice", EndpointSlice.class);
        KINDS.put("v1/Secret", Secret.class);
        KINDS.put(GatewayRoute.API_VERSION + "/" + GatewayRoute.KIND, GatewayRoute.class);
    }

    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ManifestParser() {
    }

    /** Registers a further kind (the GatewayRoute API does this). */
    public static synchronized void register(String apiVersion, String kind, Class<? extends HasMetadata> type) {
        KINDS.put(apiVersion + "/" + kind, type);
    }

    /** Parses one file's text; {@code source} names it in errors. */
    public static List<HasMetadata> parse(String source, String text) throws ManifestException {
        List<HasMetadata> objects = new ArrayList<>();
        int index = 0;
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                if (token == JsonToken.VALUE_NULL || (token == JsonToken.VALUE_STRING && parser.getText().isBlank())) { // an empty document
                    index++;
                    continue;
                }
                if (token != JsonToken.START_OBJECT) {
                    throw new ManifestException(source, line, "a document must be a mapping (a Kubernetes object), found " + token);
                }
                JsonNode node = MAPPER.readTree(parser);
                HasMetadata object = toObject(source, text, index, line, node);
                if (object != null) objects.add(object);
                index++;
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ManifestException(source, at == null ? 0 : at.getLineNr(), oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ManifestException(source, 0, e.getMessage());
        }
        return objects;
    }

    private static HasMetadata toObject(String source, String text, int index, int line, JsonNode node) throws ManifestException {
        String apiVersion = node.path("apiVersion").asText("");
        String kind = node.path("kind").asText("");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw new ManifestException(source, line, "document " + (index + 1) + " has no apiVersion or kind");
        }
        if (node.path("metadata").path("name").asText("").isEmpty()) {
            throw new ManifestException(source, line, kind + " has no metadata.name");
        }
        Class<? extends HasMetadata> type;
        synchronized (ManifestParser.class) {
            type = KINDS.get(apiVersion + "/" + kind);
        }
        if (type == null) {
            return null; // Deployments, ConfigMaps...: not Pier's to read
        }
        try {
            HasMetadata object = MAPPER.treeToValue(node, type);
            if (object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isEmpty()) {
                object.getMetadata().setNamespace("default");
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new ManifestException(source, exactLine(text, index, type, line), kind + " " + node.path("metadata").path("name").asText()
                    + ": " + e.getOriginalMessage() + fieldPath(e));
        }
    }

    /** SnakeYAML's messages span lines with a caret drawing; a log line needs the words only. */
    private static String oneLine(String message) {
        StringBuilder out = new StringBuilder();
        for (String line : message.split("\\R")) {
            if (line.isBlank() || Character.isWhitespace(line.charAt(0))) continue; // the quoted snippet and caret
            String t = line.strip();
            if (out.length() > 0) out.append("; ");
            out.append(t);
        }
        return out.toString();
    }

    private static String fieldPath(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder(" (at ");
            boolean first = true;
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    if (!first) path.append('.');
                    path.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
                first = false;
            }
            return path.append(')').toString();
        }
        return "";
    }

    /** The error path only: binds the document straight from YAML to learn the failing line. */
    private static int exactLine(String text, int index, Class<?> type, int fallback) {
        try (JsonParser parser = YAML.createParser(text)) {
            int seen = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (seen == index && token == JsonToken.START_OBJECT) {
                    MAPPER.readValue(parser, type);
                    return fallback;
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) parser.skipChildren();
                seen++;
            }
        } catch (JsonProcessingException e) {
            if (e.getLocation() != null) return e.getLocation().getLineNr();
        } catch (IOException e) {
            return fallback;
        }
        return fallback;
    }

    /** Sorts parsed objects into a snapshot. Kinds the snapshot has no place for are dropped. */
    public static ResourceSnapshot toSnapshot(List<? extends HasMetadata> objects) {
        List<IngressClass> classes = new ArrayList<>();
        List<Ingress> ingresses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        List<GatewayRoute> routes = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof IngressClass c) classes.add(c);
            else if (o instanceof Ingress i) ingresses.add(i);
            else if (o instanceof Service s) services.add(s);
            else if (o instanceof EndpointSlice e) slices.add(e);
            else if (o instanceof Secret s) secrets.add(s);
            else if (o instanceof GatewayRoute r) routes.add(r);
        }
        return new ResourceSnapshot(classes, ingresses, services, slices, secrets, routes);
    }
}
