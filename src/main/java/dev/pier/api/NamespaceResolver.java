package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * Serves a whole namespace: the first path segment after pathPrefix names the Service the request
 * goes to, so /foo/... goes to Service servicePrefix + foo. A name with no matching Service is
 * answered 404.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.handler) && self.handler == 'event') == has(self.event)",
        message = "handler event takes an event (its sink), and only it does")
@ValidationRule(value = "!(has(self.handler) && self.handler == 'event' && has(self.rpcEndpoint) && self.rpcEndpoint)",
        message = "the event handler resolves no Service, so it has no /rpc endpoint")
public class NamespaceResolver {

    /** The label a Service carries to be resolved when no selector is written. */
    public static final String DEFAULT_EXPOSE_LABEL = "pier.dev/expose";

    @JsonPropertyDescription("The namespace whose Services are resolved. Default: the namespace of the GatewayRoute.")
    @Size(min = 1, max = 63)
    @Pattern(SchemaPatterns.DNS_LABEL_1123)
    private String namespace;

    @JsonPropertyDescription("Where the resolver is mounted, on whole path segments. The Service name is read from the"
            + " first segment after the mount, and a mount longer than / is stripped from the upstream path: with"
            + " /apps, the path /apps/foo/x goes to Service foo as /foo/x. Default: /.")
    @Default("/")
    @Size(min = 1, max = 1024)
    @Pattern(SchemaPatterns.MOUNT_PATH)
    private String pathPrefix;

    @JsonPropertyDescription("Put before the resolved name to form the Service name, e.g. 'api-' sends /foo/... to Service"
            + " api-foo. Default: empty.")
    @Size(max = 62)
    @Pattern(SchemaPatterns.SERVICE_PREFIX)
    private String servicePrefix;

    @JsonPropertyDescription("When true, a leading version segment (v followed by digits) joins the name: /v1/foo/bar goes"
            + " to Service v1-foo, path unchanged; a path without a version segment resolves as it would without"
            + " versioned (/foo/bar goes to Service foo). Default: false.")
    @Default("false")
    private Boolean versioned;

    @JsonPropertyDescription("The Service port, by name or number. Default: the Service's first port.")
    private IntOrString port;

    @JsonPropertyDescription("Only Services with these labels are resolved. Default: matchLabels {pier.dev/expose:"
            + " \"true\"}, so a Service is served only when it opts in. An empty selector ({}) selects every"
            + " Service of the namespace.")
    @SchemaFrom(type = SchemaOnly.LabelSelector.class)
    private LabelSelector selector;

    @JsonPropertyDescription("What Pier does with a request once the path named a Service (the Micro API gateway's"
            + " handlers). http: forward it to the Service, websockets included. web: the same (Micro's name for it)."
            + " rpc: call a gRPC method of the Service with the JSON body, the path naming the method as Micro does"
            + " (/foo/bar: Service foo, method Foo.Bar; /foo/bar/baz: foo, Bar.Baz; /foo/bar/baz/cat: foo-bar,"
            + " Baz.Cat), found by the backend's server reflection; the Service port needs appProtocol"
            + " kubernetes.io/h2c. event: publish POST /<topic>/<event> as a CloudEvent to event.sink. Default: http.")
    @Default("http")
    private ResolverHandlerType handler;

    @JsonPropertyDescription("Also serve POST <pathPrefix>/rpc with a JSON body {\"service\": <Service name>,"
            + " \"endpoint\": \"Greeter.SayHello\", \"request\": {...}}: a gRPC call of any Service this resolver"
            + " selects (others get 404). Not with handler event. Default: false.")
    @Default("false")
    private Boolean rpcEndpoint;

    @JsonPropertyDescription("For handler event, and required with it: the sink Service and the headers events carry.")
    private ResolverEvent event;

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getPathPrefix() {
        return pathPrefix;
    }

    public void setPathPrefix(String pathPrefix) {
        this.pathPrefix = pathPrefix;
    }

    public String getServicePrefix() {
        return servicePrefix;
    }

    public void setServicePrefix(String servicePrefix) {
        this.servicePrefix = servicePrefix;
    }

    public Boolean getVersioned() {
        return versioned;
    }

    public void setVersioned(Boolean versioned) {
        this.versioned = versioned;
    }

    public IntOrString getPort() {
        return port;
    }

    public void setPort(IntOrString port) {
        this.port = port;
    }

    public ResolverHandlerType getHandler() {
        return handler;
    }

    public void setHandler(ResolverHandlerType handler) {
        this.handler = handler;
    }

    public Boolean getRpcEndpoint() {
        return rpcEndpoint;
    }

    public void setRpcEndpoint(Boolean rpcEndpoint) {
        this.rpcEndpoint = rpcEndpoint;
    }

    public ResolverEvent getEvent() {
        return event;
    }

    public void setEvent(ResolverEvent event) {
        this.event = event;
    }

    public LabelSelector getSelector() {
        return selector;
    }

    public void setSelector(LabelSelector selector) {
        this.selector = selector;
    }
}
