package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Matches a gRPC call by its service and method, as gRPC writes them in the path
 * ({@code /<service>/<method>}). It is a path match read naturally: a match takes either grpc or
 * path, not both.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.service) || has(self.method)", message = "a grpc match names a service, a method or both")
public class GRPCMethodMatch {

    @JsonPropertyDescription("The fully qualified service name, package included (helloworld.Greeter). Without method,"
            + " every method of the service matches (path prefix /helloworld.Greeter).")
    @Size(min = 1, max = 1024)
    @Pattern(SchemaPatterns.GRPC_SERVICE)
    private String service;

    @JsonPropertyDescription("The method name (SayHello). With service, exactly that call matches (path"
            + " /helloworld.Greeter/SayHello); alone, that method of any service.")
    @Size(min = 1, max = 1024)
    @Pattern(SchemaPatterns.GRPC_METHOD)
    private String method;

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getMethod() {
        return method;
    }

    public void setMethod(String method) {
        this.method = method;
    }
}
