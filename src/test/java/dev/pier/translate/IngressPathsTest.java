package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.model.PathMatch;
import org.junit.jupiter.api.Test;

class IngressPathsTest {

    @Test
    void prefixDropsTrailingSlashesButKeepsTheRoot() throws Exception {
        assertThat(IngressPaths.toPathMatch("Prefix", "/foo/")).isEqualTo(PathMatch.prefix("/foo"));
        assertThat(IngressPaths.toPathMatch("Prefix", "/foo//")).isEqualTo(PathMatch.prefix("/foo"));
        assertThat(IngressPaths.toPathMatch("Prefix", "/a/b")).isEqualTo(PathMatch.prefix("/a/b"));
        assertThat(IngressPaths.toPathMatch("Prefix", "/")).isEqualTo(PathMatch.prefix("/"));
        assertThat(IngressPaths.toPathMatch("Prefix", "//")).isEqualTo(PathMatch.prefix("/"));
    }

    @Test
    void exactKeepsThePathAsWritten() throws Exception {
        assertThat(IngressPaths.toPathMatch("Exact", "/foo/")).isEqualTo(PathMatch.exact("/foo/"));
        assertThat(IngressPaths.toPathMatch("Exact", "/")).isEqualTo(PathMatch.exact("/"));
    }

    @Test
    void implementationSpecificAndMissingTypeArePrefix() throws Exception {
        assertThat(IngressPaths.toPathMatch("ImplementationSpecific", "/impl/")).isEqualTo(PathMatch.prefix("/impl"));
        assertThat(IngressPaths.toPathMatch(null, "/x")).isEqualTo(PathMatch.prefix("/x"));
    }

    @Test
    void rejectsPathsThatDoNotStartWithSlashAndUnknownTypes() {
        assertThatThrownBy(() -> IngressPaths.toPathMatch("Prefix", "foo"))
                .isInstanceOf(IngressPaths.InvalidPath.class).hasMessageContaining("\"foo\"");
        assertThatThrownBy(() -> IngressPaths.toPathMatch("Exact", null))
                .isInstanceOf(IngressPaths.InvalidPath.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> IngressPaths.toPathMatch("Prefix", ""))
                .isInstanceOf(IngressPaths.InvalidPath.class);
        assertThatThrownBy(() -> IngressPaths.toPathMatch("prefix", "/x")) // the API is case-sensitive
                .isInstanceOf(IngressPaths.InvalidPath.class).hasMessageContaining("pathType \"prefix\"");
    }

    @Test
    void hostnamesAreLowerCasedAndValidated() {
        assertThat(IngressRoutes.hostname("Shop.Example.COM")).contains("shop.example.com");
        assertThat(IngressRoutes.hostname("*.Example.com")).contains("*.example.com");
        assertThat(IngressRoutes.hostname(null)).contains("*");
        assertThat(IngressRoutes.hostname("")).contains("*");
        assertThat(IngressRoutes.hostname("*")).isEmpty();
        assertThat(IngressRoutes.hostname("a.*.com")).isEmpty();
        assertThat(IngressRoutes.hostname("a.com:80")).isEmpty();
        assertThat(IngressRoutes.hostname("-a.com")).isEmpty();
        assertThat(IngressRoutes.hostname("a..com")).isEmpty();
    }
}
