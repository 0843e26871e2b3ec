package dev.pier.proxy;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pier.model.Endpoint;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * One access-log line's values, copied on the event loop when an exchange ends (plain strings and
 * numbers: the writer thread never reads a Vert.x object) and formatted on the writer thread.
 * Absent values are null, or -1 for numbers; the text format prints them as {@code -}.
 */
record AccessLogLine(long startMillis, String client, String method, String host, String path, String protocol,
                     int status, long bytesIn, long bytesOut, long durationNanos, long upstreamNanos,
                     Endpoint upstream, String route, String service, int retries, String requestId,
                     String traceId, String userAgent) {

    void writeJson(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("time", time());
        json.writeStringField("client", client);
        json.writeStringField("method", method);
        json.writeStringField("host", host);
        json.writeStringField("path", path);
        json.writeStringField("protocol", protocol);
        json.writeNumberField("status", status);
        json.writeNumberField("bytes_in", bytesIn);
        json.writeNumberField("bytes_out", bytesOut);
        json.writeNumberField("duration", seconds(durationNanos));
        if (upstreamNanos >= 0) json.writeNumberField("upstream_duration", seconds(upstreamNanos));
        else json.writeNullField("upstream_duration");
        json.writeStringField("upstream", upstream == null ? null : upstream.host() + ":" + upstream.port());
        json.writeStringField("route", route);
        json.writeStringField("service", service);
        json.writeNumberField("retries", retries);
        json.writeStringField("request_id", requestId);
        json.writeStringField("trace_id", traceId);
        json.writeStringField("user_agent", userAgent);
        json.writeEndObject();
    }

    /**
     * {@code time client "METHOD host path protocol" status bytes_in bytes_out duration
     * upstream_duration upstream route service retries request_id trace_id "user_agent"}: fixed
     * positions, {@code -} for an absent value, quoted values escaped so a line stays one line.
     */
    void writeText(StringBuilder out) {
        out.append(time()).append(' ');
        word(out, client);
        out.append(" \"");
        quoted(out, method);
        out.append(' ');
        quoted(out, host == null ? "-" : host);
        out.append(' ');
        quoted(out, path);
        out.append(' ').append(protocol).append("\" ");
        out.append(status).append(' ').append(bytesIn).append(' ').append(bytesOut).append(' ');
        out.append(seconds(durationNanos)).append(' ');
        if (upstreamNanos >= 0) out.append(seconds(upstreamNanos)); else out.append('-');
        out.append(' ');
        word(out, upstream == null ? null : upstream.host() + ":" + upstream.port());
        out.append(' ');
        word(out, route);
        out.append(' ');
        word(out, service);
        out.append(' ').append(retries).append(' ');
        word(out, requestId);
        out.append(' ');
        word(out, traceId);
        out.append(" \"");
        if (userAgent != null) quoted(out, userAgent);
        out.append('"');
    }

    private String time() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(startMillis));
    }

    /** Seconds with microsecond precision. */
    static double seconds(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000_000.0;
    }

    /** An unquoted field: {@code -} when absent; spaces and control characters escaped so fields stay apart. */
    private static void word(StringBuilder out, String value) {
        if (value == null || value.isEmpty()) {
            out.append('-');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\' || c == 0x7f) hex(out, c);
            else out.append(c);
        }
    }

    private static void quoted(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' || c == '"' || c == '\\' || c == 0x7f) hex(out, c);
            else out.append(c);
        }
    }

    private static void hex(StringBuilder out, char c) {
        out.append("\\x").append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
    }
}
