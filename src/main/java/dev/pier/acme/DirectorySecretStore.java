package dev.pier.acme;

import dev.pier.model.ObjectRef;
import dev.pier.source.file.ManifestException;
import dev.pier.source.file.ManifestParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

/**
 * File mode's Secrets ({@code --acme-storage DIR}): each Secret is a YAML file {@code <namespace>.<name>.yaml}
 * in the directory, written whole and renamed into place, and the directory is one of the file
 * source's inputs, so a certificate or challenge answer written here is translated and served as a
 * Secret from the cluster would be. The version of a Secret is its file's modification time and size.
 * Files are readable by their owner only: they hold private keys.
 */
final class DirectorySecretStore implements SecretStore {
    private final Path directory;

    DirectorySecretStore(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
    }

    @Override
    public KeyPair accountKey() throws IOException {
        Path file = directory.resolve("acme-account.key.pem"); // not *.yaml: the file source does not read it
        if (Files.exists(file)) return AcmeCa.keyPair(Files.readString(file, StandardCharsets.US_ASCII));
        KeyPair made = AcmeCa.newAccountKey();
        Path tmp = directory.resolve(".acme-account.key.pem.tmp");
        Files.writeString(tmp, AcmeCa.pem(made), StandardCharsets.US_ASCII);
        ownerOnly(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        return made;
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own permissions apply
        }
    }

    Path file(ObjectRef ref) {
        return directory.resolve(ref.namespace() + "." + ref.name() + ".yaml");
    }

    @Override
    public Secret get(ObjectRef ref) throws IOException {
        Path file = file(ref);
        if (!Files.exists(file)) return null;
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            for (HasMetadata o : ManifestParser.parse(file.toString(), text).objects()) {
                if (o instanceof Secret s) {
                    s.getMetadata().setResourceVersion(version(file));
                    return s;
                }
            }
        } catch (ManifestException e) {
            throw new IOException(e.getMessage(), e);
        }
        throw new IOException(file + " holds no Secret");
    }

    @Override
    public Secret create(Secret secret) throws IOException, Conflict {
        Path file = file(ref(secret));
        if (Files.exists(file)) throw new Conflict(file + " exists");
        return write(file, secret);
    }

    @Override
    public Secret update(Secret secret) throws IOException, Conflict {
        Path file = file(ref(secret));
        if (!Files.exists(file) || !version(file).equals(secret.getMetadata().getResourceVersion())) {
            throw new Conflict(file + " changed meanwhile");
        }
        return write(file, secret);
    }

    private Secret write(Path file, Secret secret) throws IOException {
        String version = secret.getMetadata().getResourceVersion();
        secret.getMetadata().setResourceVersion(null);
        String yaml = Serialization.asYaml(secret);
        secret.getMetadata().setResourceVersion(version);
        // A dot file: the file source skips it until it is renamed into place whole.
        Path tmp = directory.resolve("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        ownerOnly(tmp);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        secret.getMetadata().setResourceVersion(version(file));
        return secret;
    }

    private static String version(Path file) throws IOException {
        return Files.getLastModifiedTime(file).toMillis() + "-" + Files.size(file);
    }

    private static ObjectRef ref(Secret s) {
        return new ObjectRef("Secret", s.getMetadata().getNamespace(), s.getMetadata().getName());
    }
}
