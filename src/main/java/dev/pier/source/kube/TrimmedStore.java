package dev.pier.source.kube;

import dev.pier.translate.AcmeSecrets;
import dev.pier.api.BackendTLS;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;
import java.util.Set;

/**
 * An informer store that keeps only what translation and status writing read: managed fields
 * and kubectl's last-applied copy (often larger than the object itself) are dropped, and of a
 * TLS Secret only {@code tls.crt}, {@code tls.key} and the ACME challenge answers Pier writes
 * ({@link AcmeSecrets}; not the key of an order in progress) are kept, of a ConfigMap only {@code ca.crt}
 * (a CA bundle). At 10,000 Ingresses this is most of the cache's memory.
 */
final class TrimmedStore<T extends HasMetadata> extends BasicItemStore<T> {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final Set<String> TLS_KEYS = Set.of("tls.crt", "tls.key");

    private static boolean translated(String key) {
        return TLS_KEYS.contains(key) || key.startsWith(AcmeSecrets.HTTP01_PREFIX) || key.startsWith(AcmeSecrets.TLSALPN01_PREFIX);
    }

    TrimmedStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T object) {
        return super.put(key, trim(object));
    }

    static <T extends HasMetadata> T trim(T object) {
        ObjectMeta meta = object.getMetadata();
        if (meta != null) {
            meta.setManagedFields(null);
            Map<String, String> annotations = meta.getAnnotations();
            if (annotations != null && annotations.containsKey(LAST_APPLIED)) annotations.remove(LAST_APPLIED);
        }
        if (object instanceof Secret secret) {
            if (secret.getData() != null) secret.getData().keySet().removeIf(k -> !translated(k));
            if (secret.getStringData() != null) secret.getStringData().keySet().removeIf(k -> !translated(k));
        }
        if (object instanceof ConfigMap configMap) {
            if (configMap.getData() != null) configMap.getData().keySet().retainAll(Set.of(BackendTLS.CA_KEY));
            configMap.setBinaryData(null);
        }
        return object;
    }
}
