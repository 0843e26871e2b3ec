package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AcmeHostAllowlistTest {
    private final AcmeHostAllowlist list = AcmeHostAllowlist.parse(List.of("Shop.Example.com", " *.apps.example.com ", ""));

    @Test
    void exact_names_and_one_label_wildcards() {
        assertThat(list.allows("shop.example.com")).isTrue();
        assertThat(list.allows("SHOP.example.com")).isTrue();
        assertThat(list.allows("a.apps.example.com")).isTrue();
        assertThat(list.allows("apps.example.com")).as("the wildcard's own domain").isFalse();
        assertThat(list.allows("a.b.apps.example.com")).as("two labels under it").isFalse();
        assertThat(list.allows("www.shop.example.com")).isFalse();
        assertThat(list.allows("example.com")).isFalse();
        assertThat(list.allows("*.apps.example.com")).as("a wildcard certificate (DNS-01 only)").isFalse();
    }

    @Test
    void empty_allows_nothing() {
        assertThat(AcmeHostAllowlist.NONE.allows("shop.example.com")).isFalse();
        assertThat(AcmeHostAllowlist.parse(List.of()).entries()).isEmpty();
    }

    @Test
    void a_value_that_is_no_host_is_refused_by_name() {
        assertThatThrownBy(() -> AcmeHostAllowlist.parse(List.of("shop.example.com", "bad host")))
                .hasMessageContaining("\"bad host\"");
        assertThatThrownBy(() -> AcmeHostAllowlist.parse(List.of("*"))).hasMessageContaining("\"*\"");
        assertThatThrownBy(() -> AcmeHostAllowlist.parse(List.of("a.*.example.com"))).hasMessageContaining("a.*.example.com");
    }
}
