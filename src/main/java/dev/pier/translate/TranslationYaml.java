package dev.pier.translate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.pier.model.AcmeCertificate;
import dev.pier.model.AcmeChallenge;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BackendTls;
import dev.pier.model.Filter;
import dev.pier.model.HttpsPolicy;
import dev.pier.model.ObjectStatus;
import dev.pier.model.PathMatch;
import dev.pier.model.Problem;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.ResolverHandler;
import dev.pier.model.RouteAction;
import dev.pier.model.RoutingTable;
import dev.pier.model.StringMatch;
import dev.pier.model.Timeouts;
import dev.pier.model.TlsCertificate;
import dev.pier.model.WeightedBackend;
import dev.pier.tls.CertificateKeyPair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints a {@link TranslationResult} as YAML, the same bytes for the same result: what
 * {@code pier translate} prints, {@code /routes} serves and the golden tests compare.
 * Sealed-interface values carry a {@code type} (the record's simple name); endpoints are keyed
 * {@code namespace/name:port} in sorted order; a certificate is printed as its Secret, hosts and,
 * per certificate of its chain, fingerprint, subject and expiry: never its PEM, nothing of its key.
 */
public final class TranslationYaml {

    /** The YAML mapper for model records; mix-ins keep the model free of Jackson annotations. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .disable(YAMLGenerator.Feature.USE_NATIVE_TYPE_ID) // "type: Forward", not a "!<Forward>" tag
                    .disable(YAMLGenerator.Feature.SPLIT_LINES) // one problem message, one line
                    .build())
            .addMixIn(RouteAction.class, TypeDiscriminator.class)
            .addMixIn(Filter.class, TypeDiscriminator.class)
            .addMixIn(BackendProtocol.class, TypeDiscriminator.class)
            .addMixIn(ResolverHandler.class, TypeDiscriminator.class)
            .addMixIn(RouteAction.Resolve.class, ResolveDefaultsHidden.class)
            .addMixIn(ResolverHandler.Event.class, SinkProtocolDefaultHidden.class)
            .addMixIn(WeightedBackend.class, ProtocolDefaultHidden.class)
            .addMixIn(BackendTls.class, CaSummary.class)
            .addMixIn(RouteAction.Forward.class, BackendsAlways.class)
            .addMixIn(Route.class, RouteDefaultsHidden.class)
            .addMixIn(PathMatch.class, CompiledRegexHidden.class)
            .addMixIn(StringMatch.class, CompiledRegexHidden.class)
            .addMixIn(Problem.class, ObjectHidden.class)
            .addMixIn(AcmeChallenge.class, KeyAuthorizationHidden.class)
            .addModule(new SimpleModule("pier-model")
                    .addSerializer(Duration.class, ToStringSerializer.instance)
                    .addSerializer(java.time.Instant.class, ToStringSerializer.instance)
                    .addSerializer(TlsCertificate.class, new CertificateSummary())
                    .addSerializer(sortedSetSerializer()))
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // Empty lists and nulls are left out to keep the output readable; map values (an
            // endpoint list) are always printed, an empty one means "no endpoint".
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.ALWAYS))
            .build();

    private TranslationYaml() {
    }

    public static String write(TranslationResult result) {
        try {
            return MAPPER.writeValueAsString(document(result));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a bug in the mapper setup, not bad input
        }
    }

    /** The same document as a format-neutral tree, for {@code /routes} to print as JSON. */
    public static com.fasterxml.jackson.databind.JsonNode tree(TranslationResult result) {
        return MAPPER.valueToTree(document(result));
    }

    private static Document document(TranslationResult result) {
        Map<String, Object> endpoints = new TreeMap<>();
        result.endpoints().forEach((key, list) -> endpoints.put(key.toString(), list));
        return new Document(result.table(), endpoints, result.statuses(), result.acmeCertificates());
    }

    /** {@code acme}: the certificates Pier orders, printed only when there are some. */
    private record Document(@JsonInclude(JsonInclude.Include.ALWAYS) RoutingTable table,
                            @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Object> endpoints,
                            @JsonInclude(JsonInclude.Include.ALWAYS) List<ObjectStatus> statuses,
                            List<AcmeCertificate> acme) {
    }

    /** A challenge is shown by host, type and token; the answer itself is for the CA. */
    @JsonIgnoreProperties("keyAuthorization")
    private interface KeyAuthorizationHidden {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    private interface TypeDiscriminator {
    }

    /** A Forward with no backend is the 503 case: show it as {@code backends: []}, not as nothing. */
    private abstract static class BackendsAlways {
        @JsonInclude(JsonInclude.Include.ALWAYS)
        abstract List<WeightedBackend> backends();
    }

    /** Most backends speak HTTP/1.1: print the protocol only when it is another. */
    private abstract static class ProtocolDefaultHidden {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsHttp1.class)
        abstract BackendProtocol protocol();
    }

    private abstract static class SinkProtocolDefaultHidden {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsHttp1.class)
        abstract BackendProtocol sinkProtocol();
    }

    private static final class IsHttp1 {
        @Override
        public boolean equals(Object other) {
            return other == null || other instanceof BackendProtocol.Http1;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** A CA bundle is public but long: each of its certificates by fingerprint, subject and expiry, as for a TLS Secret. */
    private abstract static class CaSummary {
        @JsonSerialize(using = CaCertificates.class)
        abstract String caCertificates();
    }

    private static final class CaCertificates extends JsonSerializer<String> {
        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            writeChain(value, "ca.crt", gen);
            gen.writeEndObject();
        }
    }

    /** The compiled expression is the {@code value} already printed. */
    @JsonIgnoreProperties("regex")
    private interface CompiledRegexHidden {
    }

    /** A problem is printed under its object's status, which names the object. */
    @JsonIgnoreProperties("object")
    private interface ObjectHidden {
    }

    /** Most resolvers forward and serve no {@code /rpc}: print the handler and the endpoint only when they do more. */
    private abstract static class ResolveDefaultsHidden {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsForward.class)
        abstract ResolverHandler handler();

        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        abstract boolean rpcEndpoint();
    }

    private static final class IsForward {
        @Override
        public boolean equals(Object other) {
            return other == null || other instanceof ResolverHandler.Forward;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Most routes have no timeouts or retries; print them only when set. */
    private abstract static class RouteDefaultsHidden {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsNoTimeouts.class)
        abstract Timeouts timeouts();

        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsNoRetry.class)
        abstract RetryPolicy retry();

        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        abstract boolean forwardRawPath();

        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsNoHttps.class)
        abstract HttpsPolicy https();
    }

    private static final class IsNoHttps {
        @Override
        public boolean equals(Object other) {
            return other == null || HttpsPolicy.NONE.equals(other);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Jackson's CUSTOM inclusion filter: {@code equals} true means "leave out". */
    private static final class IsNoTimeouts {
        @Override
        public boolean equals(Object other) {
            return other == null || Timeouts.NONE.equals(other);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    private static final class IsNoRetry {
        @Override
        public boolean equals(Object other) {
            return other == null || RetryPolicy.NONE.equals(other);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /**
     * A certificate as {@code /routes} and {@code pier translate} show it: the Secret, the hosts, and
     * per certificate of the chain its SHA-256 fingerprint (as {@code openssl x509 -fingerprint
     * -sha256} prints it), subject and expiry. Bodies and keys are never printed: a table dump is
     * read by more people than the Secret.
     */
    private static final class CertificateSummary extends JsonSerializer<TlsCertificate> {
        @Override
        public void serialize(TlsCertificate value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            provider.defaultSerializeField("secret", value.secret(), gen);
            provider.defaultSerializeField("hostnames", value.hostnames(), gen);
            writeChain(value.certificatePem(), "tls.crt", gen);
            gen.writeEndObject();
        }
    }

    /** The certificates of {@code pem} as field {@code chain} (fingerprint, subject, expiry), or an {@code error} field. */
    private static void writeChain(String pem, String what, JsonGenerator gen) throws IOException {
        List<? extends Certificate> chain;
        try {
            chain = new ArrayList<>(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        } catch (CertificateException | RuntimeException e) {
            chain = null;
        }
        if (chain == null || chain.isEmpty()) {
            gen.writeStringField("error", what + " does not parse as X.509 certificates");
            return;
        }
        gen.writeArrayFieldStart("chain");
        for (Certificate c : chain) {
            gen.writeStartObject();
            gen.writeStringField("sha256", fingerprint(c));
            if (c instanceof X509Certificate x) {
                gen.writeStringField("subject", x.getSubjectX500Principal().getName());
                gen.writeStringField("notAfter", x.getNotAfter().toInstant().toString());
            }
            gen.writeEndObject();
        }
        gen.writeEndArray();
    }

    private static String fingerprint(Certificate c) {
        return CertificateKeyPair.fingerprint((X509Certificate) c);
    }

    /** {@code Set.copyOf} iterates in no fixed order; print sets sorted. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static JsonSerializer<Set> sortedSetSerializer() {
        return new JsonSerializer<>() {
            @Override
            public Class<Set> handledType() {
                return Set.class;
            }

            @Override
            public void serialize(Set value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                List sorted = new ArrayList(value);
                sorted.sort((a, b) -> a instanceof Comparable c ? c.compareTo(b) : a.toString().compareTo(b.toString()));
                provider.defaultSerializeValue(sorted, gen);
            }
        };
    }
}
