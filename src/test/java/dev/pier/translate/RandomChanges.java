package dev.pier.translate;

import dev.pier.source.file.ManifestException;
import dev.pier.source.file.ManifestParser;
import dev.pier.tls.GeneratedCertificate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A small cluster that changes at random, one object per step, as informers would deliver it: an
 * unchanged object stays the same instance, a changed one is a new instance with a new resourceVersion,
 * and now and then an unchanged object comes back as an equal copy (a re-list). The objects are few and
 * share hosts, paths, Services and Secrets so that conflicts, missing references, TLS, deletion and
 * class changes keep happening. Seeded: a failure names its seed and step.
 */
public final class RandomChanges {
    static final String[] NAMESPACES = {"a", "b"};
    static final String[] HOSTS = {"a.example.com", "b.example.com", "*.example.com", "", "Bad_Host"};
    static final String[] PATHS = {"/", "/api", "/api/v1"};
    private static final String[] CREATED = {"2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"};
    /** One certificate for every host the generator uses, made once (key generation is slow). */
    private static final GeneratedCertificate CERTIFICATE = GeneratedCertificate.selfSigned("example.com",
            List.of("a.example.com", "b.example.com", "*.example.com"), Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2027-01-01T00:00:00Z"), GeneratedCertificate.KeyType.EC_P256);

    private final Random random;
    private final Map<String, HasMetadata> objects = new TreeMap<>();
    private final Map<String, String> uids = new TreeMap<>();
    private int version;
    private String lastChange = "nothing yet";

    public RandomChanges(long seed) {
        this.random = new Random(seed);
        for (String ns : NAMESPACES) put("Namespace", "", ns, "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
        put("IngressClass", "", "pier", ingressClass(false));
    }

    /** The objects as a snapshot, each the instance it has been since it last changed. */
    public ResourceSnapshot snapshot() {
        return ManifestParser.toSnapshot(new ArrayList<>(objects.values()));
    }

    public String lastChange() {
        return lastChange;
    }

    /** Changes one object (or nothing, now and then); false when nothing changed. */
    public boolean step() {
        int dice = random.nextInt(100);
        String ns = pick(NAMESPACES);
        if (dice < 35) {
            upsert("Ingress", ns, "ing" + random.nextInt(6), this::ingress);
        } else if (dice < 45) {
            delete("Ingress", ns, "ing" + random.nextInt(6));
        } else if (dice < 52) {
            relist();
        } else if (dice < 62) {
            upsert("Service", ns, "svc" + random.nextInt(3), this::service);
        } else if (dice < 67) {
            delete("Service", ns, "svc" + random.nextInt(3));
        } else if (dice < 73) {
            if (random.nextBoolean()) upsert("Secret", ns, "tls0", this::secret);
            else delete("Secret", ns, "tls0");
        } else if (dice < 78) {
            upsert("Namespace", "", ns, (n, name, meta) -> "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + meta + "}\n"
                    + (random.nextInt(3) == 0 ? "status: {phase: Terminating}\n" : ""));
        } else if (dice < 82) {
            int which = random.nextInt(3);
            if (which == 0) delete("IngressClass", "", "pier");
            else put("IngressClass", "", "pier", ingressClass(which == 2));
            lastChange = "IngressClass pier " + (which == 0 ? "deleted" : which == 2 ? "default" : "not default");
        } else if (dice < 92) {
            if (random.nextInt(4) == 0) delete("GatewayRoute", ns, "gr" + random.nextInt(2));
            else upsert("GatewayRoute", ns, "gr" + random.nextInt(2), this::gatewayRoute);
        } else {
            lastChange = "nothing";
            return false;
        }
        return true;
    }

    interface Body {
        /** @param meta the rest of the metadata mapping (uid, resourceVersion, ...), starting with ", " */
        String yaml(String namespace, String name, String meta);
    }

    private void upsert(String kind, String ns, String name, Body body) {
        String key = kind + "/" + ns + "/" + name;
        if (!uids.containsKey(key) || random.nextInt(5) == 0) uids.put(key, "uid-" + (++version)); // recreated now and then
        String meta = ", uid: " + uids.get(key) + ", resourceVersion: \"" + (++version) + "\""
                + (random.nextBoolean() ? ", generation: " + version : ""); // without one, the memo goes by the object
        put(kind, ns, name, body.yaml(ns, name, meta));
        lastChange = kind + " " + ns + "/" + name + " written:\n" + yamlOf(key);
    }

    private final Map<String, String> texts = new TreeMap<>();

    private String yamlOf(String key) {
        return texts.get(key);
    }

    private void put(String kind, String ns, String name, String yaml) {
        String key = kind + "/" + ns + "/" + name;
        texts.put(key, yaml);
        objects.put(key, parse(yaml));
    }

    private void delete(String kind, String ns, String name) {
        String key = kind + "/" + ns + "/" + name;
        objects.remove(key);
        texts.remove(key);
        lastChange = key + " deleted";
    }

    /** An unchanged object comes back as a new, equal instance (same uid and resourceVersion). */
    private void relist() {
        List<String> keys = new ArrayList<>(objects.keySet());
        String key = keys.get(random.nextInt(keys.size()));
        objects.put(key, parse(texts.get(key)));
        lastChange = key + " re-listed as an equal copy";
    }

    private static HasMetadata parse(String yaml) {
        try {
            return ManifestParser.parse("random.yaml", yaml).objects().get(0);
        } catch (ManifestException e) {
            throw new IllegalStateException("the generator wrote an object the parser refuses: " + e.getMessage() + "\n" + yaml, e);
        }
    }

    private String ingressClass(boolean isDefault) {
        return "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: pier\n"
                + (isDefault ? "  annotations: {ingressclass.kubernetes.io/is-default-class: \"true\"}\n" : "")
                + "spec: {controller: " + TranslateOptions.DEFAULTS.controllerName() + "}\n";
    }

    private String ingress(String ns, String name, String meta) {
        StringBuilder y = new StringBuilder("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name
                + "\n  namespace: " + ns + "\n  creationTimestamp: \"" + pick(CREATED) + "\"\n");
        for (String part : meta.substring(2).split(", ")) y.append("  ").append(part).append('\n');
        if (random.nextInt(8) == 0) y.append("  deletionTimestamp: \"2026-05-01T00:00:00Z\"\n");
        int annotation = random.nextInt(8);
        if (annotation == 0) y.append("  annotations: {pier.dev/path-policy: ForwardRaw}\n");
        if (annotation == 1) y.append("  annotations: {pier.dev/path-policy: Sometimes}\n");
        if (annotation == 2) y.append("  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}\n");
        y.append("spec:\n");
        int cls = random.nextInt(6);
        if (cls < 4) y.append("  ingressClassName: pier\n");
        else if (cls == 4) y.append("  ingressClassName: other\n");
        if (random.nextInt(5) == 0) y.append("  defaultBackend: ").append(backend()).append('\n');
        y.append("  rules:\n");
        int rules = 1 + random.nextInt(2);
        for (int i = 0; i < rules; i++) {
            String host = pick(HOSTS);
            y.append(host.isEmpty() ? "    - http:\n" : "    - host: \"" + host + "\"\n      http:\n");
            y.append("        paths:\n");
            int paths = 1 + random.nextInt(2);
            for (int j = 0; j < paths; j++) {
                y.append("          - {path: ").append(pick(PATHS)).append(", pathType: ")
                        .append(pick(new String[] {"Prefix", "Exact", "ImplementationSpecific"})).append(", backend: ")
                        .append(backend()).append("}\n");
            }
        }
        if (random.nextInt(3) == 0) {
            y.append("  tls:\n    - hosts: [").append(pick(new String[] {"a.example.com", "b.example.com", "\"*.example.com\""}))
                    .append("]\n      secretName: ").append(random.nextInt(4) == 0 ? "missing" : "tls0").append('\n');
        }
        return y.toString();
    }

    private String backend() {
        String port = pick(new String[] {"{number: 80}", "{name: http}", "{number: 8080}"});
        return "{service: {name: svc" + random.nextInt(3) + ", port: " + port + "}}";
    }

    private String service(String ns, String name, String meta) {
        String spec = switch (random.nextInt(4)) {
            case 0 -> "{ports: [{port: 80, name: http}]}";
            case 1 -> "{ports: [{port: 80, name: http, appProtocol: kubernetes.io/h2c}]}";
            case 2 -> "{ports: [{port: 8080, name: http}, {port: 80, name: web, protocol: UDP}]}";
            default -> "{type: ExternalName, externalName: backend.example.org, ports: [{port: 80, name: http}]}";
        };
        return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns + meta + "}\nspec: " + spec + "\n";
    }

    private String secret(String ns, String name, String meta) {
        String crt = random.nextInt(4) == 0 ? "not a certificate" : CERTIFICATE.certificatePem();
        return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: " + ns + meta + "}\ntype: kubernetes.io/tls\n"
                + "stringData:\n  tls.crt: |\n" + indent(crt) + "  tls.key: |\n" + indent(CERTIFICATE.privateKeyPem());
    }

    private String gatewayRoute(String ns, String name, String meta) {
        StringBuilder y = new StringBuilder("apiVersion: pier.dev/v1alpha1\nkind: GatewayRoute\nmetadata: {name: " + name
                + ", namespace: " + ns + ", creationTimestamp: \"" + pick(CREATED) + "\"" + meta + "}\nspec:\n  ingressClassName: pier\n"
                + "  hostnames: [" + pick(new String[] {"a.example.com", "b.example.com", "\"*.example.com\""}) + "]\n  rules:\n");
        int rules = 1 + random.nextInt(2);
        for (int i = 0; i < rules; i++) {
            y.append("    - matches: [{path: {value: ").append(pick(PATHS)).append("}}]\n      backendRefs: [{name: svc")
                    .append(random.nextInt(3)).append(", port: 80}]\n");
        }
        return y.toString();
    }

    private static String indent(String pem) {
        StringBuilder out = new StringBuilder();
        for (String line : pem.split("\n")) out.append("    ").append(line).append('\n');
        return out.toString();
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }
}
