package dev.pier.proxy;

/**
 * The path-to-Service naming of {@code RouteAction.Resolve}: the first segment after the mount
 * names the Service (dots become dashes); with versioning, {@code /v1/foo/...} names {@code v1-foo}.
 */
final class ResolverNaming {
    private ResolverNaming() {
    }

    /** @return the path the backend sees: the mount stripped when it is longer than {@code /} */
    static String upstreamPath(String path, String mount) {
        if (mount.length() <= 1 || !path.startsWith(mount)) return path;
        if (path.length() == mount.length()) return "/";
        if (path.charAt(mount.length()) != '/') return path; // "/apix" does not sit under mount "/api"
        return path.substring(mount.length());
    }

    /** @return the Service name (without prefix) that {@code upstreamPath} names, or null when it names none */
    static String serviceName(String upstreamPath, boolean versioned) {
        String first = segment(upstreamPath, 0);
        if (first == null) return null;
        if (versioned && isVersion(first)) {
            String second = segment(upstreamPath, 1 + first.length());
            if (second != null) return first + "-" + second.replace('.', '-');
        }
        return first.replace('.', '-');
    }

    /** The segment that starts after the slash at {@code slash}, or null when empty or absent. */
    private static String segment(String path, int slash) {
        if (slash >= path.length() || path.charAt(slash) != '/') return null;
        int end = path.indexOf('/', slash + 1);
        if (end < 0) end = path.length();
        return end == slash + 1 ? null : path.substring(slash + 1, end);
    }

    static boolean isVersion(String segment) {
        if (segment.length() < 2 || segment.charAt(0) != 'v') return false;
        for (int i = 1; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }
}
