package dev.pier;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which Pier this is: version, commit and build time, written into {@code dev/pier/build.properties}
 * by the build. {@code pier version} prints it and {@code pier_build_info} carries it as labels.
 *
 * @param commit the abbreviated commit, {@code unknown} when the build had no git, with {@code -dirty}
 *               when the work tree had uncommitted changes
 */
public record BuildInfo(String version, String commit, String buildTime) {
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // an unreadable resource in our own jar: report what we know
        }
        String commit = unfiltered(p.getProperty("commit"));
        if (!commit.equals("unknown") && "true".equals(p.getProperty("dirty"))) commit += "-dirty";
        return new BuildInfo(unfiltered(p.getProperty("version")), commit, unfiltered(p.getProperty("buildTime")));
    }

    /** A value the build did not fill (run from an IDE's classes, say) reads "unknown". */
    private static String unfiltered(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }
}
