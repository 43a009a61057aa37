package dev.ferry.agent.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The AUTH TLS / PBSZ / PROT exchange, with the TLS handshake stubbed: split, multi-line and hostile replies. */
class UpstreamTlsUpgradeTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private Promise<Channel> handshake;
    private String greeting;
    private String failure;

    private void start() {
        handshake = channel.eventLoop().newPromise();
        channel.pipeline().addLast(new UpstreamTlsUpgrade(ctx -> handshake, Duration.ofSeconds(15), recorder()));
    }

    private UpstreamTlsUpgrade.Outcome recorder() {
        return new UpstreamTlsUpgrade.Outcome() {
            @Override
            public void upgraded(ByteBuf bytes) {
                greeting = bytes.toString(StandardCharsets.US_ASCII);
                bytes.release();
            }

            @Override
            public void failed(String reason) {
                failure = reason;
            }
        };
    }

    @AfterEach
    void nothingLeftOver() {
        channel.finishAndReleaseAll();
    }

    private void serverSays(String... pieces) {
        for (String piece : pieces) {
            channel.writeInbound(Unpooled.copiedBuffer(piece, StandardCharsets.US_ASCII));
        }
        channel.runPendingTasks();
    }

    private String agentSent() {
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            return null;
        }
        try {
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    private void handshakeSucceeds() {
        handshake.setSuccess(channel);
        channel.runPendingTasks();
    }

    @Test
    void aSplitMultiLineGreetingIsPassedOnExactlyAfterTheWholeExchange() {
        start();
        String multiLine = "220-Welcome\r\n220-to 220 the server\r\n220 ready\r\n";
        serverSays("220-Wel", "come\r\n220-to 220 the server\r", "\n220 rea", "dy\r\n");
        assertThat(agentSent()).isEqualTo("AUTH TLS\r\n");
        serverSays("234 Proceed with negotiation.\r\n");
        assertThat(agentSent()).isNull();
        handshakeSucceeds();
        assertThat(agentSent()).isEqualTo("PBSZ 0\r\n");
        serverSays("200 PBSZ set to 0.\r\n");
        assertThat(agentSent()).isEqualTo("PROT P\r\n");
        assertThat(greeting).isNull();
        serverSays("200 PROT now Private.\r\n");
        assertThat(greeting).isEqualTo(multiLine);
        assertThat(failure).isNull();
        assertThat(channel.pipeline().get(UpstreamTlsUpgrade.class)).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aPreliminaryReplyAndBareLineFeedsAreRead() {
        start();
        serverSays("120 Ready in 1 minute\n", "220 Ready\n");
        assertThat(agentSent()).isEqualTo("AUTH TLS\r\n");
        serverSays("234 Go\n");
        handshakeSucceeds();
        assertThat(agentSent()).isEqualTo("PBSZ 0\r\n");
        serverSays("200 OK\n");
        assertThat(agentSent()).isEqualTo("PROT P\r\n");
        serverSays("200 OK\n");
        assertThat(greeting).isEqualTo("120 Ready in 1 minute\n220 Ready\n");
    }

    @Test
    void aRefusedAuthClosesWithTheServersAnswer() {
        start();
        serverSays("220 hello\r\n");
        agentSent();
        serverSays("530 Please login with USER and PASS.\r\n");
        assertThat(failure).isEqualTo("upstream refused AUTH TLS: 530 Please login with USER and PASS.");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void refusedPbszAndProtAreNamed() {
        start();
        serverSays("220 hello\r\n", "234 go\r\n");
        handshakeSucceeds();
        serverSays("503 no\r\n");
        assertThat(failure).isEqualTo("upstream refused PBSZ 0: 503 no");

        failure = null;
        EmbeddedChannel second = new EmbeddedChannel();
        Promise<Channel> ok = second.eventLoop().newPromise();
        second.pipeline().addLast(new UpstreamTlsUpgrade(ctx -> ok, Duration.ofSeconds(15), recorder()));
        second.writeInbound(Unpooled.copiedBuffer("220 hi\r\n234 go\r\n", StandardCharsets.US_ASCII));
        ok.setSuccess(second);
        second.runPendingTasks();
        second.writeInbound(Unpooled.copiedBuffer("200 ok\r\n534 Protection level refused\r\n", StandardCharsets.US_ASCII));
        assertThat(failure).isEqualTo("upstream refused PROT P: 534 Protection level refused");
        assertThat(second.isOpen()).isFalse();
        second.finishAndReleaseAll();
    }

    @Test
    void aPinMismatchInTheHandshakeIsTheReason() {
        start();
        serverSays("220 hello\r\n", "234 go\r\n");
        SSLHandshakeException e = new SSLHandshakeException("Certificate unknown");
        e.initCause(new CertificateException("upstream FTP server certificate sha256:aa does not match --upstream-pin sha256:bb"));
        handshake.setFailure(e);
        channel.runPendingTasks();
        assertThat(failure).isEqualTo("TLS handshake with the FTP server failed: upstream FTP server certificate "
                + "sha256:aa does not match --upstream-pin sha256:bb");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aGreetingThatRefusesOrIsNotFtpEndsIt() {
        start();
        serverSays("421 Too many users\r\n");
        assertThat(failure).isEqualTo("the FTP server refused the connection: 421 Too many users");
        assertThat(agentSent()).isNull();
    }

    @Test
    void garbageIsRefused() {
        start();
        serverSays("SSH-2.0-OpenSSH_9.2\r\n");
        assertThat(failure).startsWith("the FTP server sent a line that is not a reply: SSH-2.0");
    }

    @Test
    void anEndlessReplyIsCutOff() {
        start();
        serverSays("220-" + "x".repeat(UpstreamReply.MAX_BYTES) + "\r\n");
        assertThat(failure).contains("longer than 65536 bytes");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void plaintextAfter234IsRefused() {
        start();
        serverSays("220 hello\r\n", "234 go\r\n200 surprise\r\n");
        assertThat(failure).isEqualTo("the FTP server sent data after 234, before the TLS handshake");
    }

    @Test
    void aServerThatClosesOrStallsEndsIt() {
        start();
        serverSays("220 hello\r\n");
        channel.close();
        assertThat(failure).isEqualTo("the FTP server closed the connection during the TLS upgrade (at AUTH)");

        failure = null;
        EmbeddedChannel silent = new EmbeddedChannel();
        silent.pipeline().addLast(new UpstreamTlsUpgrade(ctx -> null, Duration.ofSeconds(15), recorder()));
        silent.advanceTimeBy(14, TimeUnit.SECONDS);
        silent.runScheduledPendingTasks();
        assertThat(failure).isNull();
        silent.advanceTimeBy(2, TimeUnit.SECONDS);
        silent.runScheduledPendingTasks();
        assertThat(failure).isEqualTo("the FTP server did not finish the TLS upgrade within 15 s (at GREETING)");
        assertThat(silent.isOpen()).isFalse();
        silent.finishAndReleaseAll();
    }
}
