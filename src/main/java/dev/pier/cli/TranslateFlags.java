package dev.pier.cli;

import dev.pier.translate.TranslateOptions;
import java.util.Set;
import picocli.CommandLine.Option;

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

    TranslateOptions options() {
        return new TranslateOptions(ingressClass, TranslateOptions.CONTROLLER_NAME, allowExternalName)
                .withResolverNamespaces(resolverNamespaces == null ? Set.of() : resolverNamespaces);
    }
}
