package dev.ferry.agent.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeDiscoveryTest {
    private static InetAddress at(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void everyAddressOfTheNameIsANodeOnTheSameAgentPort() throws Exception {
        NodeDiscovery d = new NodeDiscovery("relays.example.net", 7835,
                host -> List.of(at("203.0.113.1"), at("203.0.113.2"), at("203.0.113.3")), Duration.ofSeconds(5));
        assertThat(d.nodes()).containsExactly(new InetSocketAddress("203.0.113.1", 7835),
                new InetSocketAddress("203.0.113.2", 7835), new InetSocketAddress("203.0.113.3", 7835));
        assertThat(d.label(new InetSocketAddress("203.0.113.2", 7835))).isEqualTo("relays.example.net:7835 (203.0.113.2)");
        assertThat(d.label(new InetSocketAddress("203.0.113.9", 7999))).isEqualTo("relays.example.net:7835 (203.0.113.9:7999)");
        assertThat(d.isLiteral()).isFalse();
    }

    @Test
    void anAddressIsLabelledAsTypedAndIsOneNode() throws Exception {
        NodeDiscovery d = NodeDiscovery.of("127.0.0.1", 7835);
        assertThat(d.nodes()).containsExactly(new InetSocketAddress("127.0.0.1", 7835));
        assertThat(d.label(new InetSocketAddress("127.0.0.1", 7835))).isEqualTo("127.0.0.1:7835");
        assertThat(d.label(new InetSocketAddress("127.0.0.2", 7836))).as("a node a relay listed").isEqualTo("127.0.0.2:7836");
        assertThat(d.isLiteral()).isTrue();
    }

    @Test
    void ipv4AddressesAreKeptWhenTheNameAlsoHasIpv6OnesSoANodeGetsOneLink() throws Exception {
        assertThat(RelayResolver.preferIpv4(List.of(at("::1"), at("127.0.0.1"), at("127.0.0.1"))))
                .containsExactly(at("127.0.0.1"));
        assertThat(RelayResolver.preferIpv4(List.of(at("::1"), at("2001:db8::1")))).hasSize(2);
    }

    @Test
    void aNameWithoutAddressesIsUnknownAndBadSettingsNameTheFlag() {
        NodeDiscovery empty = new NodeDiscovery("relays.example.net", 7835, host -> List.of(), Duration.ofSeconds(5));
        assertThatThrownBy(empty::nodes).isInstanceOf(UnknownHostException.class).hasMessageContaining("relays.example.net");
        assertThatThrownBy(() -> new NodeDiscovery("r", 7835, RelayResolver.system(), Duration.ofMillis(10)))
                .hasMessageContaining("--relay-refresh");
        assertThatThrownBy(() -> new NodeDiscovery("r", 0, RelayResolver.system(), Duration.ofSeconds(5)))
                .hasMessageContaining("--relay port");
    }
}
