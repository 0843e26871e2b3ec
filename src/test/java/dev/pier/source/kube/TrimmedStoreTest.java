package dev.pier.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrimmedStoreTest {

    @Test
    void dropsManagedFieldsAndLastAppliedButKeepsWhatTranslationReads() {
        Ingress ingress = new IngressBuilder().withNewMetadata().withName("web").withNamespace("shop")
                .addToAnnotations(TrimmedStore.LAST_APPLIED, "{...a copy of the whole object...}")
                .addToAnnotations("kubernetes.io/ingress.class", "pier")
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build()).endMetadata()
                .withNewSpec().withIngressClassName("pier").endSpec().build();
        TrimmedStore<Ingress> store = new TrimmedStore<>();
        store.put(store.getKey(ingress), ingress);
        Ingress kept = store.get("shop/web");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).containsOnlyKeys("kubernetes.io/ingress.class");
        assertThat(kept.getSpec().getIngressClassName()).isEqualTo("pier");
    }

    @Test
    void keepsOnlyTheCertificateAndKeyOfATlsSecret() {
        Secret secret = new SecretBuilder().withNewMetadata().withName("cert").withNamespace("shop").endMetadata()
                .withType("kubernetes.io/tls").withData(Map.of("tls.crt", "Y3J0", "tls.key", "a2V5", "ca.crt", "Y2E="))
                .build();
        TrimmedStore<Secret> store = new TrimmedStore<>();
        store.put(store.getKey(secret), secret);
        assertThat(store.get("shop/cert").getData()).containsOnlyKeys("tls.crt", "tls.key");
    }
}
