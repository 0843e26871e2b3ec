package dev.pier.source.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
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
 * setup of the project. A document that does not parse, or lacks apiVersion/kind/metadata.name,
 * fails the whole file with a {@link ManifestException} naming the file, line and reason (files
 * apply all-or-nothing). A document of a kind Pier does not read, and a field that no Pier object
 * has (a typo such as {@code backendRef}), are skipped with a warning naming file and line.
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
        KINDS.put("v1/Namespace", Namespace.class);
        KINDS.put("v1/ConfigMap", ConfigMap.class);
        KINDS.put(GatewayRoute.API_VERSION + "/" + GatewayRoute.KIND, GatewayRoute.class);
    }

    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    /**
     * Unknown fields are not an error (a newer API may add some) but are reported. fabric8's model
     * classes would swallow them into {@code additionalProperties}; without any-setters every
     * unknown field reaches {@link UnknownFields}.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .build();

    private ManifestParser() {
    }

    /** Registers a further kind (the GatewayRoute API does this). */
    public static synchronized void register(String apiVersion, String kind, Class<? extends HasMetadata> type) {
        KINDS.put(apiVersion + "/" + kind, type);
    }

    /** Parses one file's text; {@code source} names it in errors and warnings. */
    public static Manifests parse(String source, String text) throws ManifestException {
        List<HasMetadata> objects = new ArrayList<>();
        List<Manifests.Warning> warnings = new ArrayList<>();
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
                HasMetadata object = toObject(source, text, index, line, node, warnings);
                if (object != null) objects.add(object);
                index++;
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ManifestException(source, at == null ? 0 : at.getLineNr(), oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ManifestException(source, 0, e.getMessage());
        }
        return new Manifests(objects, warnings);
    }

    private static HasMetadata toObject(String source, String text, int index, int line, JsonNode node,
                                        List<Manifests.Warning> warnings) throws ManifestException {
        String apiVersion = node.path("apiVersion").asText("");
        String kind = node.path("kind").asText("");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw new ManifestException(source, line, "document " + (index + 1) + " has no apiVersion or kind");
        }
        String name = node.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            throw new ManifestException(source, line, kind + " has no metadata.name");
        }
        Class<? extends HasMetadata> type;
        List<String> sameKind = new ArrayList<>();
        synchronized (ManifestParser.class) {
            type = KINDS.get(apiVersion + "/" + kind);
            KINDS.keySet().stream().filter(k -> k.endsWith("/" + kind)).forEach(k -> sameKind.add(k.substring(0, k.length() - kind.length() - 1)));
        }
        if (type == null) {
            warnings.add(new Manifests.Warning(source, line, kind + " " + name + " (" + apiVersion + ") is not a kind Pier reads"
                    + (sameKind.isEmpty() ? "" : " (Pier reads " + kind + " as " + String.join(", ", sameKind) + ")") + "; skipped"));
            return null;
        }
        try {
            UnknownFields unknown = new UnknownFields();
            HasMetadata object = MAPPER.readerFor(type).withHandler(unknown).readValue(node);
            if (!unknown.paths.isEmpty()) {
                // The tree has no line numbers: find the keys in the text (only when there is something to report).
                Map<String, Integer> lines = keyLines(text, index, unknown.paths);
                for (String path : unknown.paths) {
                    warnings.add(new Manifests.Warning(source, lines.getOrDefault(path, line), kind + " " + name
                            + ": unknown field " + path + "; ignored"));
                }
            }
            if (object instanceof Namespaced
                    && (object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isEmpty())) {
                object.getMetadata().setNamespace("default");
            }
            return object;
        } catch (IOException e) {
            int at = line;
            try {
                bindFromText(text, index, type);
            } catch (JsonProcessingException located) {
                if (located.getLocation() != null) at = located.getLocation().getLineNr();
            } catch (IOException ignored) {
                // keep the document's line
            }
            String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() + fieldPath(j) : e.getMessage();
            throw new ManifestException(source, at, kind + " " + name + ": " + reason);
        }
    }

    /** Collects the path of every field the model class does not have. */
    private static final class UnknownFields extends DeserializationProblemHandler {
        final List<String> paths = new ArrayList<>();

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            // On a structured value the parser already stands inside it: the field is named one level up.
            JsonStreamContext context = p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY
                    ? p.getParsingContext().getParent() : p.getParsingContext();
            paths.add(path(context));
            p.skipChildren();
            return true;
        }
    }

    /** The line of the key at each of {@code paths} in document {@code index}. */
    private static Map<String, Integer> keyLines(String text, int index, List<String> paths) throws IOException {
        Map<String, Integer> lines = new LinkedHashMap<>();
        try (JsonParser parser = YAML.createParser(text)) {
            int seen = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (seen == index && token == JsonToken.START_OBJECT) {
                    int depth = 0;
                    do {
                        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                            depth++;
                        } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                            depth--;
                        } else if (token == JsonToken.FIELD_NAME) {
                            String path = path(parser.getParsingContext());
                            if (paths.contains(path)) lines.putIfAbsent(path, parser.currentTokenLocation().getLineNr());
                        }
                    } while (depth > 0 && (token = parser.nextToken()) != null);
                    return lines;
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) parser.skipChildren();
                seen++;
            }
        }
        return lines;
    }

    /** {@code spec.rules[0].backendRef}: per level of a parser's context, the field's name or the index in the array. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) parts.add("[" + Math.max(0, c.getCurrentIndex()) + "]");
            else if (c.getCurrentName() != null) parts.add("." + c.getCurrentName());
        }
        StringBuilder out = new StringBuilder();
        for (int i = parts.size() - 1; i >= 0; i--) out.append(parts.get(i));
        return out.length() > 0 && out.charAt(0) == '.' ? out.substring(1) : out.toString();
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

    /**
     * Binds document {@code index} straight from the YAML text, where the parser knows lines: the
     * slow path, taken only to place an error.
     */
    private static void bindFromText(String text, int index, Class<?> type) throws IOException {
        try (JsonParser parser = YAML.createParser(text)) {
            int seen = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (seen == index && token == JsonToken.START_OBJECT) {
                    MAPPER.readerFor(type).readValue(parser);
                    return;
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) parser.skipChildren();
                seen++;
            }
        }
    }

    /** Sorts parsed objects into a snapshot. Kinds the snapshot has no place for are dropped. */
    public static ResourceSnapshot toSnapshot(List<? extends HasMetadata> objects) {
        List<IngressClass> classes = new ArrayList<>();
        List<Ingress> ingresses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        List<GatewayRoute> routes = new ArrayList<>();
        List<Namespace> namespaces = new ArrayList<>();
        List<ConfigMap> configMaps = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof IngressClass c) classes.add(c);
            else if (o instanceof Ingress i) ingresses.add(i);
            else if (o instanceof Service s) services.add(s);
            else if (o instanceof EndpointSlice e) slices.add(e);
            else if (o instanceof Secret s) secrets.add(s);
            else if (o instanceof GatewayRoute r) routes.add(r);
            else if (o instanceof Namespace n) namespaces.add(n);
            else if (o instanceof ConfigMap c) configMaps.add(c);
        }
        return new ResourceSnapshot(classes, ingresses, services, slices, secrets, routes, namespaces, configMaps);
    }
}
