package dev.pier.translate;

import dev.pier.model.ObjectRef;
import java.util.Set;

/**
 * Settings translation needs from the command line.
 *
 * @param ingressClass        the IngressClass name Pier serves ({@code --ingress-class}, default {@code pier})
 * @param controllerName      the {@code spec.controller} an IngressClass must name to be Pier's
 * @param allowExternalName   whether ExternalName Services may be backends ({@code --allow-external-name})
 * @param resolverNamespaces  namespaces any GatewayRoute's resolver may serve besides the route's own; a
 *                            resolver exposes every selected Service of its namespace, so crossing into
 *                            another namespace needs the operator's consent (default: none)
 * @param defaultCertificate  the TLS Secret that answers handshakes for hosts without a certificate
 *                            ({@code --default-certificate}); null for the one generated at start
 * @param acme                whether Pier orders certificates over ACME, and for which hosts
 */
public record TranslateOptions(String ingressClass, String controllerName, boolean allowExternalName,
                               Set<String> resolverNamespaces, ObjectRef defaultCertificate, AcmePolicy acme) {
    public static final String CONTROLLER_NAME = "pier.dev/ingress-controller";
    public static final TranslateOptions DEFAULTS = new TranslateOptions("pier", CONTROLLER_NAME, false);

    public TranslateOptions {
        resolverNamespaces = Set.copyOf(resolverNamespaces);
        if (acme == null) acme = AcmePolicy.OFF;
        if (defaultCertificate != null && !"Secret".equals(defaultCertificate.kind()))
            throw new IllegalArgumentException("the default certificate is a Secret, not a " + defaultCertificate.kind());
    }

    /** No ACME. */
    public TranslateOptions(String ingressClass, String controllerName, boolean allowExternalName,
                            Set<String> resolverNamespaces, ObjectRef defaultCertificate) {
        this(ingressClass, controllerName, allowExternalName, resolverNamespaces, defaultCertificate, AcmePolicy.OFF);
    }

    /** No resolver may cross namespaces; the generated default certificate. */
    public TranslateOptions(String ingressClass, String controllerName, boolean allowExternalName) {
        this(ingressClass, controllerName, allowExternalName, Set.of(), null);
    }

    public TranslateOptions withResolverNamespaces(Set<String> namespaces) {
        return new TranslateOptions(ingressClass, controllerName, allowExternalName, namespaces, defaultCertificate, acme);
    }

    public TranslateOptions withAcme(AcmePolicy policy) {
        return new TranslateOptions(ingressClass, controllerName, allowExternalName, resolverNamespaces, defaultCertificate, policy);
    }

    /** @param namespaceSlashName {@code namespace/name} of a kubernetes.io/tls Secret */
    public TranslateOptions withDefaultCertificate(String namespaceSlashName) {
        return new TranslateOptions(ingressClass, controllerName, allowExternalName, resolverNamespaces,
                secretRef(namespaceSlashName), acme);
    }

    /** {@code namespace/name} as a Secret reference; a message saying what is wrong otherwise. */
    public static ObjectRef secretRef(String namespaceSlashName) {
        String[] parts = namespaceSlashName == null ? new String[0] : namespaceSlashName.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            throw new IllegalArgumentException("\"" + namespaceSlashName + "\" is not namespace/name");
        return new ObjectRef("Secret", parts[0], parts[1]);
    }
}
