package dev.ferry.relay.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handoff of an already-greeted client to the FTP server: what reaches each side, and when. */
class HandoffTest {
    /** Inbound messages are what goes on to the gateway and server; outbound, what the client gets. */
    private static EmbeddedChannel channel(List<String> beforeLogin, List<String> afterLogin) {
        return new EmbeddedChannel(new Handoff(beforeLogin, afterLogin, "test"));
    }

    private static void fromClient(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static void fromServer(EmbeddedChannel ch, String text) {
        ch.writeOutbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static String toServer(EmbeddedChannel ch) {
        return drain(ch, true);
    }

    private static String toClient(EmbeddedChannel ch) {
        return drain(ch, false);
    }

    private static String drain(EmbeddedChannel ch, boolean inbound) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf b; (b = inbound ? ch.readInbound() : ch.readOutbound()) != null; ) {
            text.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return text.toString();
    }

    @Test
    void aMultiLineGreetingAfter120IsDroppedAndTheClientWaitsForIt() {
        EmbeddedChannel ch = channel(List.of(), List.of());
        fromClient(ch, "USER alice\r\n");
        assertThat(toServer(ch)).isEmpty();
        fromServer(ch, "120 in a minute\r\n220-Welcome\r\n 220 inside the text\r\n");
        assertThat(toServer(ch)).isEmpty();
        fromServer(ch, "220 ready\r\n");
        assertThat(toClient(ch)).isEmpty();
        assertThat(toServer(ch)).isEqualTo("USER alice\r\n");
        fromServer(ch, "331 password please\r\n");
        assertThat(toClient(ch)).isEqualTo("331 password please\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void beforeLoginReplaysGoFirstAndTheirRepliesAreDropped() {
        EmbeddedChannel ch = channel(List.of("OPTS UTF8 ON\r\n", "PROT P\r\n"), List.of());
        fromClient(ch, "USER ali");
        fromServer(ch, "220 hi\r\n");
        assertThat(toServer(ch)).isEqualTo("OPTS UTF8 ON\r\nPROT P\r\n");
        fromClient(ch, "ce\r\n");
        fromServer(ch, "200 UTF8 on\r\n");
        assertThat(toServer(ch)).isEmpty();
        fromServer(ch, "200 PROT P\r\n");
        assertThat(toClient(ch)).isEmpty();
        assertThat(toServer(ch)).isEqualTo("USER alice\r\n");
        fromServer(ch, "331 password please\r\n");
        assertThat(toClient(ch)).isEqualTo("331 password please\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void typeIsReplayedOnceLoggedInAndEveryClientCommandIsAnswered() {
        EmbeddedChannel ch = channel(List.of(), List.of("TYPE I\r\n"));
        fromServer(ch, "220 hi\r\n");
        fromClient(ch, "USER alice\r\n");
        fromServer(ch, "331 password please\r\n");
        fromClient(ch, "PASS secret\r\nPWD\r\n"); // pipelined: the PWD is still owed its reply after 230
        assertThat(toServer(ch)).isEqualTo("USER alice\r\nPASS secret\r\nPWD\r\n");
        fromServer(ch, "230-Welcome\r\n230 in\r\n");
        assertThat(toServer(ch)).isEmpty();
        fromServer(ch, "257 \"/\"\r\n");
        assertThat(toServer(ch)).isEqualTo("TYPE I\r\n");
        fromClient(ch, "LIST\r\n");
        assertThat(toServer(ch)).isEmpty();
        fromServer(ch, "200 Type set to I\r\n");
        assertThat(toServer(ch)).isEqualTo("LIST\r\n");
        assertThat(toClient(ch)).isEqualTo("331 password please\r\n230-Welcome\r\n230 in\r\n257 \"/\"\r\n");
        fromServer(ch, "150 here\r\n226 done\r\n");
        assertThat(toClient(ch)).isEqualTo("150 here\r\n226 done\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aGreetingThatRefusesReachesTheClient() {
        EmbeddedChannel ch = channel(List.of("OPTS UTF8 ON\r\n"), List.of());
        fromClient(ch, "USER alice\r\n");
        fromServer(ch, "421-Too many users\r\n421 try later\r\n");
        assertThat(toClient(ch)).isEqualTo("421-Too many users\r\n421 try later\r\n");
        assertThat(toServer(ch)).isEqualTo("USER alice\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aClientThatFloodsWhileTheSessionIsSetUpIsCutOff() {
        EmbeddedChannel ch = channel(List.of(), List.of());
        fromClient(ch, "NOOP\r\n".repeat(Handoff.MAX_HELD / 6 + 1));
        assertThat(toClient(ch)).isEqualTo("421 Too much input while the session is set up; closing.\r\n");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }
}
