package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * One layer of the rule's onion: request sides run in list order before the backend, response
 * sides in reverse order after it. RequestRedirect and DirectResponse answer at once; filters
 * after them do not run.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.requestHeaderModifier) == (self.type == 'RequestHeaderModifier')",
        message = "requestHeaderModifier is required for type RequestHeaderModifier and not allowed for other types")
@ValidationRule(value = "has(self.responseHeaderModifier) == (self.type == 'ResponseHeaderModifier')",
        message = "responseHeaderModifier is required for type ResponseHeaderModifier and not allowed for other types")
@ValidationRule(value = "has(self.urlRewrite) == (self.type == 'URLRewrite')",
        message = "urlRewrite is required for type URLRewrite and not allowed for other types")
@ValidationRule(value = "has(self.requestRedirect) == (self.type == 'RequestRedirect')",
        message = "requestRedirect is required for type RequestRedirect and not allowed for other types")
@ValidationRule(value = "has(self.directResponse) == (self.type == 'DirectResponse')",
        message = "directResponse is required for type DirectResponse and not allowed for other types")
public class HTTPRouteFilter {

    @JsonPropertyDescription("The kind of filter; set the field of the same name (lower camel case) and no other.")
    @Required
    private FilterType type;

    @JsonPropertyDescription("Changes the request headers sent to the backend, for type RequestHeaderModifier.")
    private HTTPHeaderFilter requestHeaderModifier;

    @JsonPropertyDescription("Changes the response headers sent to the client, for type ResponseHeaderModifier.")
    private HTTPHeaderFilter responseHeaderModifier;

    @JsonPropertyDescription("Rewrites the host and/or path sent to the backend, for type URLRewrite.")
    private HTTPURLRewriteFilter urlRewrite;

    @JsonPropertyDescription("Answers with a redirect, for type RequestRedirect.")
    private HTTPRequestRedirectFilter requestRedirect;

    @JsonPropertyDescription("Answers with a fixed status and body, for type DirectResponse.")
    private DirectResponseFilter directResponse;

    public FilterType getType() {
        return type;
    }

    public void setType(FilterType type) {
        this.type = type;
    }

    public HTTPHeaderFilter getRequestHeaderModifier() {
        return requestHeaderModifier;
    }

    public void setRequestHeaderModifier(HTTPHeaderFilter requestHeaderModifier) {
        this.requestHeaderModifier = requestHeaderModifier;
    }

    public HTTPHeaderFilter getResponseHeaderModifier() {
        return responseHeaderModifier;
    }

    public void setResponseHeaderModifier(HTTPHeaderFilter responseHeaderModifier) {
        this.responseHeaderModifier = responseHeaderModifier;
    }

    public HTTPURLRewriteFilter getUrlRewrite() {
        return urlRewrite;
    }

    public void setUrlRewrite(HTTPURLRewriteFilter urlRewrite) {
        this.urlRewrite = urlRewrite;
    }

    public HTTPRequestRedirectFilter getRequestRedirect() {
        return requestRedirect;
    }

    public void setRequestRedirect(HTTPRequestRedirectFilter requestRedirect) {
        this.requestRedirect = requestRedirect;
    }

    public DirectResponseFilter getDirectResponse() {
        return directResponse;
    }

    public void setDirectResponse(DirectResponseFilter directResponse) {
        this.directResponse = directResponse;
    }
}
