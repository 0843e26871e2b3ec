package dev.pier.proxy;

/**
 * Pier's path policy: the one function that turns a request path as received into the path routes
 * are matched against, rewrites and the resolver read, and (unless the route forwards the raw path)
 * the backend gets. Applied once per request, before matching, so that a rule for {@code /admin}
 * cannot be walked around with {@code /%61dmin}, {@code /x/../admin}, {@code /./admin} or
 * {@code //admin} (RFC 3986 section 6.2.2, as Envoy's {@code normalize_path} + {@code merge_slashes}):
 *
 * <ol>
 *   <li>percent-encoded unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded; every other
 *       escape is kept, its hex digits in upper case ({@code %3a} becomes {@code %3A});</li>
 *   <li>{@code .} segments are removed and {@code ..} segments remove the segment before them;</li>
 *   <li>runs of {@code /} become one.</li>
 * </ol>
 *
 * Refused with 400 ({@link Rejected}): a path not starting with {@code /} (an empty one is {@code /}),
 * a {@code %} not followed by two hex digits, a raw {@code \} or control character, a {@code ..}
 * that would climb above the root, and a dot segment carrying parameters ({@code ..;x}, which some
 * servlet containers read as {@code ..}). An encoded {@code /} or {@code \} ({@code %2F},
 * {@code %5C}) is kept as one opaque segment character here, and refused after matching unless the
 * matched route forwards the raw path ({@link #hasEncodedSeparator}). The query string is not part of
 * the path and is never touched.
 *
 * <p>A path that is already normal is returned as the same String, after one scan and no allocation.
 */
final class PathNormalizer {
    private PathNormalizer() {
    }

    /** Why a path is refused: the message is the body of the 400. */
    static final class Rejected extends Exception {
        Rejected(String message) {
            super(message, null, false, false); // no stack trace: a client's bad path is not an event
        }
    }

    /**
     * @param path the path as received (without query), e.g. Vert.x's {@code request.path()}
     * @return the normalised path; {@code path} itself when it is already normal
     * @throws Rejected when the path is refused (answer 400 with the message)
     */
    static String normalize(String path) throws Rejected {
        if (path == null || path.isEmpty()) return "/";
        if (path.charAt(0) != '/') throw new Rejected("the path does not start with /\n");
        return isNormal(path) ? path : rebuild(path);
    }

    /** Whether a normalised path holds an encoded {@code /} or {@code \}, which only a raw-path route accepts. */
    static boolean hasEncodedSeparator(String normalized) {
        for (int i = normalized.indexOf('%'); i >= 0 && i + 2 < normalized.length(); i = normalized.indexOf('%', i + 1)) {
            char a = normalized.charAt(i + 1), b = normalized.charAt(i + 2);
            if ((a == '2' && b == 'F') || (a == '5' && b == 'C')) return true;
        }
        return false;
    }

    /** One scan: nothing to decode, no backslash or control character, no empty or dot segment. */
    private static boolean isNormal(String path) {
        int n = path.length();
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (!isKeptEscapeAt(path, i)) return false;
                i += 2;
                continue;
            }
            if (c == '\\' || c < 0x20 || c == 0x7f) return false;
            if (c == '/' && i + 1 < n) {
                char next = path.charAt(i + 1);
                if (next == '/') return false;
                if (next == '.' && isDotSegmentAt(path, i + 1)) return false;
            }
        }
        return true;
    }

    /** Whether {@code %XX} at {@code i} is an escape normalisation keeps: upper-case hex of a character that is not unreserved. */
    private static boolean isKeptEscapeAt(String path, int i) {
        if (i + 2 >= path.length()) return false;
        char a = path.charAt(i + 1), b = path.charAt(i + 2);
        if (!isUpperHex(a) || !isUpperHex(b)) return false;
        return !isUnreserved((char) (hex(a) * 16 + hex(b)));
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    /** Whether the segment starting at {@code start} is {@code .} or {@code ..}, alone or with {@code ;} parameters. */
    private static boolean isDotSegmentAt(String path, int start) {
        int n = path.length();
        int dots = 0;
        while (start + dots < n && dots < 3 && path.charAt(start + dots) == '.') dots++;
        if (dots == 0 || dots > 2) return false;
        int after = start + dots;
        return after == n || path.charAt(after) == '/' || path.charAt(after) == ';';
    }

    private static String rebuild(String path) throws Rejected {
        String decoded = decodeUnreserved(path);
        int n = decoded.length();
        StringBuilder out = new StringBuilder(n);
        // out always starts with "/" and ends with "/" between segments; segment starts are found by lastIndexOf.
        out.append('/');
        int i = 1;
        while (i <= n) {
            int end = decoded.indexOf('/', i);
            if (end < 0) end = n;
            int len = end - i;
            boolean last = end == n;
            if (len == 0) {
                // an empty segment: a run of slashes, or the trailing slash already written
            } else if (len == 1 && decoded.charAt(i) == '.') {
                // "." stays where it is
            } else if (len == 2 && decoded.charAt(i) == '.' && decoded.charAt(i + 1) == '.') {
                if (out.length() == 1) throw new Rejected("the path climbs above the root with ..\n");
                int cut = out.lastIndexOf("/", out.length() - 2);
                out.setLength(cut + 1);
            } else if (decoded.charAt(i) == '.' && isDotSegmentAt(decoded, i)) {
                throw new Rejected("the path has a dot segment with parameters (.; or ..;)\n");
            } else {
                out.append(decoded, i, end);
                if (!last) out.append('/');
            }
            i = end + 1;
        }
        return out.toString();
    }

    /** Decodes escapes of unreserved characters, upper-cases the others; refuses bad escapes, backslashes, controls. */
    private static String decodeUnreserved(String path) throws Rejected {
        int n = path.length();
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c == '\\') throw new Rejected("the path holds a backslash\n");
            if (c < 0x20 || c == 0x7f) throw new Rejected("the path holds a control character\n");
            if (c != '%') {
                if (out != null) out.append(c);
                continue;
            }
            int hi = i + 2 < n ? hex(path.charAt(i + 1)) : -1;
            int lo = i + 2 < n ? hex(path.charAt(i + 2)) : -1;
            if (hi < 0 || lo < 0) throw new Rejected("the path has a % that is not followed by two hex digits\n");
            if (out == null) out = new StringBuilder(n).append(path, 0, i);
            char decoded = (char) (hi * 16 + lo);
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(HEX[hi]).append(HEX[lo]);
            }
            i += 2;
        }
        return out == null ? path : out.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    /** RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
    private static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
