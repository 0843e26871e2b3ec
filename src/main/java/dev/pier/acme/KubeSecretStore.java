package dev.pier.acme;

import dev.pier.model.ObjectRef;
import dev.pier.translate.AcmeSecrets;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.KeyPair;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME Secrets in the API server: get, create, and update with the resourceVersion read (a 409
 * is a {@link SecretStore.Conflict}). The RBAC shipped in deploy/ lets Pier get, create and update
 * Secrets, and its admission policy refuses every such write to a Secret without Pier's label.
 */
final class KubeSecretStore implements SecretStore {
    private static final Logger LOG = LoggerFactory.getLogger(KubeSecretStore.class);
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final KubernetesClient client;
    private final String controllerName;
    private final String identity;
    private final String namespace;

    /** @param namespace Pier's own namespace (the Lease's), where the account key's Secret lives */
    KubeSecretStore(KubernetesClient client, String controllerName, String identity, String namespace) {
        this.client = client;
        this.controllerName = controllerName;
        this.identity = identity;
        this.namespace = namespace;
    }

    @Override
    public KeyPair accountKey() throws IOException {
        ObjectRef ref = new ObjectRef("Secret", namespace, ACCOUNT_SECRET);
        for (int attempt = 0; attempt < 3; attempt++) {
            Secret stored = get(ref);
            if (stored != null) {
                String pem = AcmeSecrets.data(stored).get(ACCOUNT_KEY);
                if (pem == null || !AcmeSecrets.owned(stored)) {
                    throw new IOException("Secret " + namespace + "/" + ACCOUNT_SECRET + " is not Pier's ACME account key;"
                            + " delete it and Pier makes a new one");
                }
                return AcmeCa.keyPair(pem);
            }
            KeyPair made = AcmeCa.newAccountKey();
            Secret secret = new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(ACCOUNT_SECRET)
                    .addToLabels(AcmeSecrets.MANAGED_BY_LABEL, AcmeSecrets.MANAGED_BY).endMetadata()
                    .withType("Opaque").addToData(ACCOUNT_KEY, base64(AcmeCa.pem(made))).build();
            try {
                create(secret);
                LOG.info("ACME: made a new account key in Secret {}/{}", namespace, ACCOUNT_SECRET);
                return made;
            } catch (Conflict e) {
                // another leader made it first: read theirs
            }
        }
        throw new IOException("Secret " + namespace + "/" + ACCOUNT_SECRET + " keeps changing");
    }

    static final String ACCOUNT_KEY = "account.key";

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public Secret get(ObjectRef ref) throws IOException {
        try {
            return client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
        } catch (KubernetesClientException e) {
            throw new IOException("cannot read Secret " + ref.namespace() + "/" + ref.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Secret create(Secret secret) throws IOException, Conflict {
        try {
            return client.secrets().inNamespace(secret.getMetadata().getNamespace()).resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) throw new Conflict("Secret " + name(secret) + " was created meanwhile");
            throw new IOException("cannot create Secret " + name(secret) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Secret update(Secret secret) throws IOException, Conflict {
        try {
            return client.secrets().inNamespace(secret.getMetadata().getNamespace()).resource(secret).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) throw new Conflict("Secret " + name(secret) + " changed meanwhile");
            throw new IOException("cannot update Secret " + name(secret) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void announce(List<ObjectRef> regarding, String reason, String message) {
        String note = message.length() > 1000 ? message.substring(0, 1000) : message;
        for (ObjectRef ref : regarding) {
            try {
                client.events().v1().events().inNamespace(ref.namespace()).resource(new EventBuilder()
                        .withNewMetadata().withGenerateName(ref.name() + "-").withNamespace(ref.namespace()).endMetadata()
                        .withEventTime(new MicroTime(MICRO.format(Instant.now())))
                        .withType("Normal").withReason(reason).withAction("Acme").withNote(note)
                        .withReportingController(controllerName).withReportingInstance(identity)
                        .withRegarding(new ObjectReferenceBuilder().withApiVersion(apiVersion(ref.kind())).withKind(ref.kind())
                                .withNamespace(ref.namespace()).withName(ref.name()).build())
                        .build()).create();
            } catch (KubernetesClientException e) {
                LOG.warn("could not write the {} Event of {}: {}", reason, ref, e.getMessage());
            }
        }
    }

    private static String apiVersion(String kind) {
        return "Ingress".equals(kind) ? "networking.k8s.io/v1" : "pier.dev/v1alpha1";
    }

    private static String name(Secret s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }
}
