package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
    private static Inet4Address ip(String s) {
        return (Inet4Address) GatewayHarness.address(s);
    }

    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.of(ip("127.0.0.5"));
        assertThat(c.publicAddress()).isEqualTo(ip("127.0.0.5"));
        assertThat(c.maxLineLength()).isEqualTo(4096);
        assertThat(GatewayConfig.builder().publicAddress(ip("127.0.0.5")).build()).isEqualTo(c);
    }

    @Test
    void errorsNameTheSettingAndTheValue() {
        assertThatThrownBy(() -> GatewayConfig.builder().build()).hasMessageContaining("publicAddress");
        assertThatThrownBy(() -> GatewayConfig.of(ip("0.0.0.0"))).hasMessageContaining("publicAddress")
                .hasMessageContaining("0.0.0.0");
        assertThatThrownBy(() -> GatewayConfig.of(ip("224.0.0.1"))).hasMessageContaining("publicAddress");
        assertThatThrownBy(() -> GatewayConfig.builder().publicAddress(ip("127.0.0.5")).maxLineLength(63).build())
                .hasMessageContaining("maxLineLength").hasMessageContaining("63");
        assertThatThrownBy(() -> GatewayConfig.builder().publicAddress(ip("127.0.0.5")).maxLineLength(65537).build())
                .hasMessageContaining("maxLineLength").hasMessageContaining("65537");
        assertThat(GatewayConfig.builder().publicAddress(ip("127.0.0.5")).maxLineLength(64).build().maxLineLength())
                .isEqualTo(64);
    }
}
