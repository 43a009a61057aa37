package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortCodecTest {
    @Test
    void decodesSixNumbers() {
        assertThat(HostPortCodec.decode("192,168,1,20,195,80"))
                .contains(new InetSocketAddress("192.168.1.20", 195 * 256 + 80));
        assertThat(HostPortCodec.decode(" 10, 0 ,0,1,0,0 ")).contains(new InetSocketAddress("10.0.0.1", 0));
        assertThat(HostPortCodec.decode("255,255,255,255,255,255"))
                .contains(new InetSocketAddress("255.255.255.255", 65535));
        assertThat(HostPortCodec.decode("010,0,0,1,4,1")).contains(new InetSocketAddress("10.0.0.1", 1025));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1,2,3,4,5", "1,2,3,4,5,6,7", "256,0,0,1,4,1", "1,2,3,4,256,1", "1,2,3,4,5,999",
        "1,2,3,4,5,", ",1,2,3,4,5", "1,2,3,4,5,-6", "1,2,3,4,5,+6", "1,2,3,4,5,0x1", "1,2,3,4,5,0001", "a,b,c,d,e,f",
        "1.2.3.4,5,6", "1,2,3,4,5 6", "1,2,3,4,5,\u0661"})
    void rejectsAnythingElse(String text) {
        assertThat(HostPortCodec.decode(text)).isEmpty();
    }

    @Test
    void encodesAndRoundTrips() throws Exception {
        Inet4Address a = (Inet4Address) Inet4Address.getByName("203.0.113.7");
        assertThat(HostPortCodec.encode(a, 40001)).isEqualTo("203,0,113,7,156,65");
        for (int port : new int[] {0, 1, 255, 256, 1024, 65534, 65535}) {
            assertThat(HostPortCodec.decode(HostPortCodec.encode(a, port))).contains(new InetSocketAddress(a, port));
        }
        assertThatThrownBy(() -> HostPortCodec.encode(a, 65536)).hasMessageContaining("port");
        assertThatThrownBy(() -> HostPortCodec.encode(a, -1)).hasMessageContaining("port");
    }
}
