package dev.pier.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What a consistent hash is computed over. Set exactly one field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.header), has(self.cookie), has(self.sourceIP), has(self.queryParam)].filter(x, x).size() == 1",
        message = "hashOn takes exactly one of header, cookie, sourceIP, queryParam")
@ValidationRule(value = "!has(self.sourceIP) || self.sourceIP", message = "hashOn.sourceIP must be true when set")
public class HashOn {

    @JsonPropertyDescription("Hash the value of this request header.")
    @Size(min = 1, max = 256)
    @Pattern(SchemaPatterns.HEADER_NAME)
    private String header;

    @JsonPropertyDescription("Hash the value of this request cookie.")
    @Size(min = 1, max = 256)
    private String cookie;

    @JsonPropertyDescription("Hash the client's IP address (the peer of the connection). Must be true when set.")
    private Boolean sourceIP;

    @JsonPropertyDescription("Hash the value of this query parameter.")
    @Size(min = 1, max = 256)
    private String queryParam;

    public String getHeader() {
        return header;
    }

    public void setHeader(String header) {
        this.header = header;
    }

    public String getCookie() {
        return cookie;
    }

    public void setCookie(String cookie) {
        this.cookie = cookie;
    }

    public Boolean getSourceIP() {
        return sourceIP;
    }

    public void setSourceIP(Boolean sourceIP) {
        this.sourceIP = sourceIP;
    }

    public String getQueryParam() {
        return queryParam;
    }

    public void setQueryParam(String queryParam) {
        this.queryParam = queryParam;
    }
}
