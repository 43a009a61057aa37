package dev.ferry.agent.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.link.tls.CertificatePin;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TLS client the agent is toward its FTP server: what its handshakes send and accept. */
class UpstreamTlsTest {
    static TlsPeers peers;

    @BeforeAll
    static void certificate() throws Exception {
        peers = new TlsPeers("ftp.example.test");
    }

    @AfterAll
    static void delete() {
        peers.close();
    }

    private record Ends(SslHandler client, SslHandler server) {
    }

    /** Handshakes a client handler of {@code session} with a JDK server for the test certificate. */
    private static Ends handshake(UpstreamTls.Session session) {
        return handshake(session, peers.serverHandler());
    }

    private static Ends handshake(UpstreamTls.Session session, SslHandler serverTls) {
        SslHandler clientTls = session.newHandler();
        EmbeddedChannel serverSide = new EmbeddedChannel(serverTls);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientTls);
        try {
            TlsPeers.pump(clientSide, serverSide);
        } catch (DecoderException failedHandshake) {
            // the client refused the server: its handshake future says why
        } finally {
            clientSide.finishAndReleaseAll();
            serverSide.finishAndReleaseAll();
        }
        return new Ends(clientTls, serverTls);
    }

    @Test
    void aServerNamedByHostGetsItAsSniAndAnAddressSendsNone() throws Exception {
        SslHandler named = handshake(UpstreamTls.insecure().newSession("ftp.example.test", 21)).server();
        assertThat(named.handshakeFuture().isSuccess()).isTrue();
        List<SNIServerName> names = ((ExtendedSSLSession) named.engine().getSession()).getRequestedServerNames();
        assertThat(names).containsExactly(new SNIHostName("ftp.example.test"));

        SslHandler address = handshake(UpstreamTls.insecure().newSession("127.0.0.1", 21)).server();
        assertThat(address.handshakeFuture().isSuccess()).isTrue();
        assertThat(((ExtendedSSLSession) address.engine().getSession()).getRequestedServerNames()).isEmpty();
    }

    @Test
    void onlyThePinnedCertificateIsAccepted() throws Exception {
        CertificatePin pin = CertificatePin.of(peers.certificate.cert());
        Ends right = handshake(UpstreamTls.pinned(pin).newSession("ftp.example.test", 21));
        assertThat(right.client().handshakeFuture().isSuccess()).isTrue();

        CertificatePin other = CertificatePin.parse("sha256:" + "00".repeat(32));
        Ends wrong = handshake(UpstreamTls.pinned(other).newSession("ftp.example.test", 21));
        assertThat(wrong.client().handshakeFuture().cause()).isNotNull();
        assertThat(UpstreamTls.describe(wrong.client().handshakeFuture().cause())).isEqualTo("upstream FTP server "
                + "certificate " + pin + " does not match --upstream-pin " + other);
    }

    @Test
    void aDataConnectionResumesItsOwnSessionsControlSessionAndNoOther() {
        UpstreamTls tls = UpstreamTls.insecure();
        UpstreamTls.Session alice = tls.newSession("ftp.example.test", 21);
        UpstreamTls.Session bob = tls.newSession("ftp.example.test", 21);
        byte[] aliceControl = handshake(alice, peers.tls12ServerHandler()).client().engine().getSession().getId();
        byte[] bobControl = handshake(bob, peers.tls12ServerHandler()).client().engine().getSession().getId();
        assertThat(aliceControl).isNotEmpty().isNotEqualTo(bobControl);

        Ends aliceData = handshake(alice, peers.tls12ServerHandler());
        assertThat(aliceData.client().handshakeFuture().isSuccess()).isTrue();
        assertThat(aliceData.client().engine().getSession().getId()).as("resumed").isEqualTo(aliceControl);
        assertThat(handshake(bob, peers.tls12ServerHandler()).client().engine().getSession().getId()).isEqualTo(bobControl);
    }
}
