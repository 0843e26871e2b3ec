package dev.pier.cli;

import dev.pier.model.ObjectRef;
import dev.pier.translate.AcmeHostAllowlist;
import dev.pier.translate.AcmePolicy;
import dev.pier.translate.TranslateOptions;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The flags that shape translation, shared by {@code serve} and {@code translate} so both read inputs alike. */
final class TranslateFlags {

    @Option(names = "--ingress-class", defaultValue = "${env:PIER_INGRESS_CLASS:-pier}",
            description = "The IngressClass name Pier serves. Env: PIER_INGRESS_CLASS. Default: ${DEFAULT-VALUE}.")
    String ingressClass;

    @Option(names = "--allow-external-name", defaultValue = "${env:PIER_ALLOW_EXTERNAL_NAME:-false}",
            description = "Allow ExternalName Services as backends (off: a route to one is rejected). Env: PIER_ALLOW_EXTERNAL_NAME.")
    boolean allowExternalName;

    @Option(names = "--resolver-namespace", paramLabel = "NS", split = ",", defaultValue = "${env:PIER_RESOLVER_NAMESPACES}",
            description = "A namespace any GatewayRoute's resolver may serve Services from; repeatable. Without it a resolver"
                    + " only resolves in its route's own namespace. Env: PIER_RESOLVER_NAMESPACES (comma-separated).")
    Set<String> resolverNamespaces;

    @Option(names = "--default-certificate", paramLabel = "NS/NAME", defaultValue = "${env:PIER_DEFAULT_CERTIFICATE}",
            converter = SecretRefConverter.class,
            description = "The kubernetes.io/tls Secret served to HTTPS clients whose server name (SNI) has no certificate,"
                    + " or that send none. Without it (or while it is unusable) Pier serves a self-signed certificate"
                    + " generated at start. Env: PIER_DEFAULT_CERTIFICATE.")
    ObjectRef defaultCertificate;

    @Option(names = "--acme-allow-host", paramLabel = "HOST", split = ",", defaultValue = "${env:PIER_ACME_ALLOW_HOST}",
            description = "A host Pier may order ACME certificates for: an exact name, or *.example.com for every name one"
                    + " label under example.com; repeatable. A host must be both here and asked for by an object (GatewayRoute"
                    + " tls acme: true, Ingress pier.dev/acme: \"true\"). Empty (the default) allows nothing."
                    + " Env: PIER_ACME_ALLOW_HOST (comma-separated).")
    List<String> acmeAllowHosts;

    /** @param acmeEnabled whether ACME certificates are ordered ({@code serve} with {@code --acme-directory}; {@code translate} and {@code explain} assume so) */
    TranslateOptions options(boolean acmeEnabled) {
        return new TranslateOptions(ingressClass, TranslateOptions.CONTROLLER_NAME, allowExternalName,
                resolverNamespaces == null ? Set.of() : resolverNamespaces, defaultCertificate,
                new AcmePolicy(acmeEnabled, acmeAllowlist()));
    }

    /** The allowlist; a value that is no host name or pattern is a usage error naming it. */
    AcmeHostAllowlist acmeAllowlist() {
        try {
            return AcmeHostAllowlist.parse(acmeAllowHosts == null ? List.of() : acmeAllowHosts);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--acme-allow-host " + e.getMessage());
        }
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** {@code namespace/name}, refused with picocli's usage error (exit 2) otherwise. */
    static final class SecretRefConverter implements ITypeConverter<ObjectRef> {
        @Override
        public ObjectRef convert(String value) {
            try {
                return TranslateOptions.secretRef(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
