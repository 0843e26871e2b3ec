package dev.pier.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The core/v1 Endpoints fallback gives translation the same endpoints EndpointSlices would. */
class EndpointsConversionTest {

    @Test
    void ready_addresses_serve_and_not_ready_ones_do_not() {
        Endpoints endpoints = new EndpointsBuilder().withNewMetadata().withNamespace("shop").withName("web")
                .withResourceVersion("7").endMetadata()
                .addNewSubset()
                .addNewAddress().withIp("198.19.255.1").endAddress()
                .addNewAddress().withIp("198.19.255.2").endAddress()
                .addNewNotReadyAddress().withIp("198.19.255.3").endNotReadyAddress()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .endSubset().build();
        var service = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build();

        var slices = EndpointsConversion.toSlices(endpoints);
        assertThat(slices).hasSize(1);
        assertThat(slices.get(0).getMetadata().getLabels()).containsEntry(dev.pier.translate.ServiceEndpoints.SERVICE_NAME_LABEL, "web");

        assertThat(dev.pier.translate.ServiceEndpoints.forService(service, slices, false)).isEqualTo(Map.of(new ServiceKey("shop", "web", 80),
                List.of(Endpoint.of("198.19.255.1", 8080), Endpoint.of("198.19.255.2", 8080))));
    }

    @Test
    void no_subsets_means_no_endpoints() {
        Endpoints empty = new EndpointsBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata().build();
        var service = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build();
        assertThat(dev.pier.translate.ServiceEndpoints.forService(service, EndpointsConversion.toSlices(empty), false))
                .isEqualTo(Map.of(new ServiceKey("shop", "web", 80), List.of()));
    }
}
