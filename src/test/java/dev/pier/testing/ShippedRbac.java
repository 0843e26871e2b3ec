package dev.pier.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shipped manifests, not a copy: binds user {@value KubeApiServer#PIER_USER} to the ClusterRole
 * (cluster-wide) and the Role of deploy/10-rbac.yaml and installs the leader-election Lease of
 * deploy/30-deployment.yaml, the Role and the Lease in {@code namespace} (where the test's Pier
 * elects). What users apply is what the tests using it prove sufficient.
 */
public final class ShippedRbac {
    private ShippedRbac() {
    }

    /** Returns the name of the shipped Lease (the Role grants that one only). */
    public static String bind(KubernetesClient admin, String namespace) throws IOException {
        int bound = 0;
        for (HasMetadata item : load(admin, "10-rbac.yaml")) {
            String name = item.getMetadata().getName();
            if (item.getKind().equals("ClusterRole")) {
                admin.resource(item).forceConflicts().serverSideApply();
                admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("pier-shipped-rbac").endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                        .addNewSubject().withKind("User").withApiGroup("rbac.authorization.k8s.io")
                        .withName(KubeApiServer.PIER_USER).endSubject().build()).forceConflicts().serverSideApply();
                bound++;
            } else if (item.getKind().equals("Role")) {
                item.getMetadata().setNamespace(namespace);
                admin.resource(item).inNamespace(namespace).create();
                admin.resource(new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                        .addNewSubject().withKind("User").withApiGroup("rbac.authorization.k8s.io")
                        .withName(KubeApiServer.PIER_USER).endSubject().build()).inNamespace(namespace).create();
                bound++;
            }
        }
        if (bound != 2) throw new IllegalStateException("deploy/10-rbac.yaml: want a ClusterRole and a Role, bound " + bound);
        List<HasMetadata> leases = load(admin, "30-deployment.yaml").stream().filter(i -> i.getKind().equals("Lease")).toList();
        if (leases.size() != 1) throw new IllegalStateException("deploy/30-deployment.yaml: want one Lease, found " + leases.size());
        HasMetadata lease = leases.get(0);
        lease.getMetadata().setNamespace(namespace);
        admin.resource(lease).inNamespace(namespace).create();
        return lease.getMetadata().getName();
    }

    private static List<HasMetadata> load(KubernetesClient admin, String file) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("deploy", file))) {
            return admin.load(in).items();
        }
    }
}
