package dev.ferry.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Each way a link attempt fails becomes one line naming the relay's address, with no pipeline dump. */
class LinkFailureTest {
    private static final String RELAY = "203.0.113.7:7835";

    private static Status io(Throwable cause) {
        return Status.UNAVAILABLE.withDescription("io exception\nChannel Pipeline: [SslHandler#0, DefaultChannelPipeline$TailContext#0]")
                .withCause(cause);
    }

    @Test
    void aPeerThatDoesNotSpeakTlsIsNotAFerryRelay() {
        assertThat(LinkFailure.describe(io(new NotSslRecordException("not an SSL/TLS record: 3232302053")), RELAY, false))
                .startsWith(RELAY + " is not a Ferry relay: TLS handshake failed (the peer does not speak TLS)")
                .doesNotContain("Channel Pipeline").doesNotContain("\n");
    }

    @Test
    void aPeerThatDoesNotSpeakHttp2IsNotAFerryRelay() {
        Http2Exception e = Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "First received frame was not SETTINGS");
        assertThat(LinkFailure.describe(Status.INTERNAL.withDescription("http2 exception").withCause(e), RELAY, false))
                .startsWith(RELAY + " is not a Ferry relay: it does not speak HTTP/2 (First received frame was not SETTINGS)");
    }

    @Test
    void aRefusedConnectionSaysSo() {
        assertThat(LinkFailure.describe(io(new ConnectException("Connection refused: /203.0.113.7:7835")), RELAY, false))
                .isEqualTo("cannot link to relay " + RELAY + ": connection refused");
    }

    @Test
    void aConnectionThatTimesOutSaysSo() {
        assertThat(LinkFailure.describe(io(new ConnectException(
                "finishConnect(..) failed with error(-110): Connection timed out: /203.0.113.7:7835")), RELAY, false))
                .isEqualTo("cannot link to relay " + RELAY + ": connection timed out (no answer: packets dropped on the way?)");
    }

    @Test
    void aTlsHandshakeThatTimesOutIsNotCalledANonRelay() {
        assertThat(LinkFailure.describe(io(new SslHandshakeTimeoutException("handshake timed out after 10000ms")), RELAY, false))
                .isEqualTo("cannot link to relay " + RELAY
                        + ": no TLS answer within 10 s (packets dropped on the way, or not a Ferry relay)");
    }

    @Test
    void aLiveLinkThatDiesNamesWhy() {
        assertThat(LinkFailure.describe(Status.UNAVAILABLE.withDescription("Keepalive failed. The connection is likely gone"),
                RELAY, true)).isEqualTo("link to relay " + RELAY + " lost: no answer to keepalive (every packet dropped?)");
        assertThat(LinkFailure.describe(io(new IOException("readAddress(..) failed: Connection reset by peer")), RELAY, true))
                .isEqualTo("link to relay " + RELAY + " lost: connection reset by peer");
        assertThat(LinkFailure.describe(io(new IOException("writevAddresses(..) failed: Connection timed out")), RELAY, true))
                .isEqualTo("link to relay " + RELAY + " lost: connection timed out (bytes unacknowledged for 10 s: "
                        + "packets dropped on the way?)");
        assertThat(LinkFailure.describe(Status.UNAVAILABLE.withDescription("Network closed for unknown reason"), RELAY, true))
                .isEqualTo("link to relay " + RELAY + " lost: the relay closed the connection");
    }
}
