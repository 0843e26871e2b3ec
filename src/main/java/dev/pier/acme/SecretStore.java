package dev.pier.acme;

import dev.pier.model.ObjectRef;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.util.List;

/**
 * Where the ACME room keeps its Secrets: the API server in cluster mode ({@link KubeSecretStore}),
 * a directory in file mode ({@link DirectorySecretStore}). Writes are optimistic: an update names
 * the version it read, and a write that lost to another writer (an old leader) is a {@link Conflict},
 * never a silent overwrite.
 */
public interface SecretStore {
    /** The Secret, or null when there is none. */
    Secret get(ObjectRef ref) throws IOException;

    /** Creates it; {@link Conflict} when it exists. Returns it as stored (with its version). */
    Secret create(Secret secret) throws IOException, Conflict;

    /** Replaces it, if it is still at the version it carries; returns it as stored. */
    Secret update(Secret secret) throws IOException, Conflict;

    /**
     * The ACME account's key: read, or made and stored on first use (cluster mode: the Secret
     * {@value #ACCOUNT_SECRET} in Pier's namespace; file mode: a file in the directory).
     */
    java.security.KeyPair accountKey() throws IOException;

    /** The name of the account key's Secret in cluster mode. */
    String ACCOUNT_SECRET = "pier-acme-account";

    /** Tells the objects that asked for a certificate what happened (cluster mode: a Normal Event each). */
    default void announce(List<ObjectRef> regarding, String reason, String message) {
    }

    /** Someone else wrote first (or the Secret appeared or vanished meanwhile). */
    final class Conflict extends Exception {
        Conflict(String message) {
            super(message);
        }
    }
}
