package dev.pier.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Micro's RPC path table, with Kubernetes names: which Service and method a path names. */
class RpcPathTest {

    @ParameterizedTest(name = "{0} versioned={1} -> {2} {3}")
    @CsvSource(nullValues = "none", value = {
            "/foo, false, foo, Foo.Call",
            "/foo/bar, false, foo, Foo.Bar",
            "/foo/bar/baz, false, foo, Bar.Baz",
            "/foo/bar/baz/cat, false, foo-bar, Baz.Cat",
            "/a/b/c/d/e, false, a-b-c, D.E",
            "/v1/foo/bar, true, v1-foo, Foo.Bar",
            "/v1/foo/bar, false, v1, Foo.Bar",
            "/v1/foo/bar/baz, true, v1-foo, Bar.Baz",
            "/v1/foo, true, v1, V1.Foo",
            "/vx/foo/bar, true, vx, Foo.Bar",
            "/my.app/greeter/say-hello, false, my-app, Greeter.SayHello",
            "/greeter/say-hello, false, greeter, Greeter.SayHello",
            "/greeter/sayHello, false, greeter, Greeter.SayHello",
            "/greeter/Say_Hello, false, greeter, Greeter.Say_Hello",
            "/greeter/say-hello/, false, greeter, Greeter.SayHello",
            "/, false, none, none",
            "/greeter/9lives, false, none, none",
            "/greeter/say%20hello, false, none, none",
            "/greeter/--, false, none, none"})
    void namesTheServiceAndMethodAsMicroDoes(String path, boolean versioned, String service, String method) {
        RpcPath.Call call = RpcPath.parse(path, versioned);
        if (service == null) {
            assertThat(call).isNull();
            return;
        }
        assertThat(call.service()).isEqualTo(service);
        assertThat(call.endpoint()).isEqualTo(method);
    }
}
