package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The Strict-Transport-Security header (RFC 6797) on this route's HTTPS answers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HSTS {

    @JsonPropertyDescription("max-age: seconds browsers remember to reach these hosts over HTTPS only, e.g. 31536000"
            + " (a year). 0 tells them to forget.")
    @Required
    @Min(0)
    @Max(315360000)
    private Long maxAgeSeconds;

    @JsonPropertyDescription("includeSubDomains: the same for every subdomain. Default: false.")
    private Boolean includeSubDomains;

    @JsonPropertyDescription("preload: consent to browsers' preload lists, which need includeSubDomains and a max-age of"
            + " at least 31536000. Default: false.")
    private Boolean preload;

    public Long getMaxAgeSeconds() {
        return maxAgeSeconds;
    }

    public void setMaxAgeSeconds(Long maxAgeSeconds) {
        this.maxAgeSeconds = maxAgeSeconds;
    }

    public Boolean getIncludeSubDomains() {
        return includeSubDomains;
    }

    public void setIncludeSubDomains(Boolean includeSubDomains) {
        this.includeSubDomains = includeSubDomains;
    }

    public Boolean getPreload() {
        return preload;
    }

    public void setPreload(Boolean preload) {
        this.preload = preload;
    }
}
