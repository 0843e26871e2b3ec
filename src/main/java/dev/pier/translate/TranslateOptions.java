package dev.pier.translate;

/**
 * Settings translation needs from the command line.
 *
 * @param ingressClass        the IngressClass name Pier serves ({@code --ingress-class}, default {@code pier})
 * @param controllerName      the {@code spec.controller} an IngressClass must name to be Pier's
 * @param allowExternalName   whether ExternalName Services may be backends ({@code --allow-external-name})
 */
public record TranslateOptions(String ingressClass, String controllerName, boolean allowExternalName) {
    public static final String CONTROLLER_NAME = "pier.dev/ingress-controller";
    public static final TranslateOptions DEFAULTS = new TranslateOptions("pier", CONTROLLER_NAME, false);
}
