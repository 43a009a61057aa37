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
    void findsTheFirstRunOfSixNumbersAnywhere() {
        assertThat(HostPortCodec.find("227 Entering Passive Mode 10,0,0,1,4,1.", 3))
                .contains(new HostPortCodec.Found(new InetSocketAddress("10.0.0.1", 1025), 26, 38));
        assertThat(HostPortCodec.find("227 =10, 0,0,1 ,4,1", 3)).map(HostPortCodec.Found::start).contains(5);
        assertThat(HostPortCodec.find("227 v2.1 (1,2) then 10,0,0,1,4,1 (3,4,5,6,7,8)", 3))
                .map(f -> f.address().getPort()).contains(1025);
    }

    @ParameterizedTest
    @ValueSource(strings = {"227 ok", "227 1,2,3,4,5", "227 1,2,3,4,5,6,7", "227 1234,2,3,4,5,6", "227 1,2,3,4,5,6789",
        "227 256,0,0,1,4,1 then 10,0,0,1,4,1", "227 1,2,3,4,5,6,"})
    void findsNothingWithoutExactlySixNumbersFirst(String text) {
        assertThat(HostPortCodec.find(text, 3)).isEmpty();
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
