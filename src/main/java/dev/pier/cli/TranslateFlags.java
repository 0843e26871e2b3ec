package dev.pier.cli;

import dev.pier.model.ObjectRef;
import dev.pier.translate.TranslateOptions;
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

    TranslateOptions options() {
        return new TranslateOptions(ingressClass, TranslateOptions.CONTROLLER_NAME, allowExternalName,
                resolverNamespaces == null ? Set.of() : resolverNamespaces, defaultCertificate);
    }

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
