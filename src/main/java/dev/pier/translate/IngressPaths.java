package dev.pier.translate;

import dev.pier.model.PathMatch;

/**
 * Turns an Ingress path and pathType into a {@link PathMatch}. {@code ImplementationSpecific}
 * (and a missing pathType, which older API versions defaulted) is read as {@code Prefix}.
 */
public final class IngressPaths {
    private IngressPaths() {
    }

    /** A path the Ingress asks for that Pier cannot serve; the message names the problem, not the field. */
    public static final class InvalidPath extends Exception {
        public InvalidPath(String message) {
            super(message);
        }
    }

    public static PathMatch toPathMatch(String pathType, String path) throws InvalidPath {
        if (path == null || path.isEmpty()) {
            throw new InvalidPath("path is missing");
        }
        if (!path.startsWith("/")) {
            throw new InvalidPath("path \"" + path + "\" does not start with \"/\"");
        }
        String type = pathType == null ? "ImplementationSpecific" : pathType;
        switch (type) {
            case "Exact":
                return PathMatch.exact(path);
            case "Prefix":
            case "ImplementationSpecific":
                return PathMatch.prefix(path);
            default:
                throw new InvalidPath("pathType \"" + pathType + "\" is not one of Exact, Prefix, ImplementationSpecific");
        }
    }
}
