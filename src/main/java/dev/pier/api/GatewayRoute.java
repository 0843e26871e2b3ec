package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Pier's own route kind: HTTPRoute-like rules (matches, weighted backends, filters, timeouts,
 * retries, balancing) plus the namespace resolver. The CRD in {@code crds/} is generated from
 * this class and the classes of its fields; see docs/gatewayroute.md.
 */
@Group(GatewayRoute.GROUP)
@Version(value = GatewayRoute.VERSION, storage = true, served = true)
@Kind(GatewayRoute.KIND)
@Plural(GatewayRoute.PLURAL)
@Singular("gatewayroute")
@ShortNames("gr")
@AdditionalPrinterColumn(name = "Hostnames", jsonPath = ".spec.hostnames", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Accepted", jsonPath = ".status.conditions[?(@.type==\"Accepted\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// fabric8's Condition carries no descriptions; the schema takes them from a stand-in
@SchemaSwap(originalType = GatewayRoute.class, fieldName = "status", targetType = SchemaOnly.Status.class)
@JsonClassDescription("Routes HTTP requests for some hosts to Services: matches, weighted backends, filters, timeouts,"
        + " retries, load balancing, or a namespace resolver. Served by Pier.")
public class GatewayRoute extends CustomResource<GatewayRouteSpec, GatewayRouteStatus> implements Namespaced {
    public static final String GROUP = "pier.dev";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "GatewayRoute";
    public static final String PLURAL = "gatewayroutes";
    /** The apiVersion written in manifests. */
    public static final String API_VERSION = GROUP + "/" + VERSION;

    // Overridden only to describe spec and status in the generated schema (kubectl explain).
    @Override
    @JsonPropertyDescription("The desired routing: which hosts, and for each request which rule answers it.")
    public GatewayRouteSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("What Pier concluded about this route; written by Pier.")
    public GatewayRouteStatus getStatus() {
        return super.getStatus();
    }
}
