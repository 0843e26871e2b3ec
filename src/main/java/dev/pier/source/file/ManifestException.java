package dev.pier.source.file;

/** A manifest file that could not be read; the message is {@code file:line: reason}. */
public final class ManifestException extends Exception {
    private final String source;
    private final int line;
    private final String reason;

    public ManifestException(String source, int line, String reason) {
        super(source + ":" + line + ": " + reason);
        this.source = source;
        this.line = line;
        this.reason = reason;
    }

    public String source() { return source; }
    public int line() { return line; }
    public String reason() { return reason; }
}
