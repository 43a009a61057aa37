package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's final reply to a transfer waits while the session finishes the transfer's data
 * connection (active mode: the relay's own connection to the client), and the replies after it keep
 * their place behind it.
 */
class ActiveFinalReplyGatewayTest {
    private static final String DIAL_FAILED = "425 Can't open data connection: the relay could not connect to your data port.\r\n";
    private final GatewayHarness gw = new GatewayHarness();

    @BeforeEach
    void activeListStarted() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("EPRT |1|198.51.100.10|50001|\r\nLIST\r\n")).isEqualTo("EPRT |1|192.0.2.10|50000|\r\nLIST\r\n");
        assertThat(gw.server("200 EPRT ok.\r\n")).isEqualTo("200 EPRT ok.\r\n");
    }

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void a226ThatCameWithThe150WaitsForTheDataConnection() {
        gw.finalReplyGate = new CompletableFuture<>();
        assertThat(gw.server("150 Here comes the listing.\r\n226 Transfer done.\r\n")).isEqualTo("150 Here comes the listing.\r\n");
        assertThat(gw.finalReplyCodes).containsExactly(226);
        gw.finalReplyGate.complete(null);
        assertThat(gw.drainOutbound()).isEqualTo("226 Transfer done.\r\n");
        assertThat(gw.replies).isEqualTo(3); // greeting, EPRT, LIST: the session hears of the 226 once it went out
    }

    @Test
    void repliesAfterAHeldOneFollowItInOrder() {
        gw.finalReplyGate = new CompletableFuture<>();
        assertThat(gw.client("NOOP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.server("150 Opening.\r\n226-Transfer\r\n")).isEqualTo("150 Opening.\r\n");
        assertThat(gw.server(" done.\r\n226 Bye.\r\n200 NOOP ok.\r\n")).isEmpty();
        assertThat(gw.client("PORT 198,51,100,10,195,80\r\n")).isEqualTo("PORT 192,0,2,10,195,80\r\n");
        gw.finalReplyGate.complete(null);
        assertThat(gw.drainOutbound()).isEqualTo("226-Transfer\r\n done.\r\n226 Bye.\r\n200 NOOP ok.\r\n");
        assertThat(gw.server("200 PORT ok.\r\n")).isEqualTo("200 PORT ok.\r\n");
    }

    @Test
    void whenTheRelayCannotConnectTheClientGets425NotTheServers226() {
        gw.finalReplyGate = new CompletableFuture<>();
        assertThat(gw.server("150 Opening.\r\n226 Transfer done.\r\n")).isEqualTo("150 Opening.\r\n");
        gw.finalReplyGate.complete(DIAL_FAILED);
        assertThat(gw.drainOutbound()).isEqualTo(DIAL_FAILED);
        assertThat(gw.client("NOOP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.server("200 ok\r\n")).isEqualTo("200 ok\r\n");
    }

    @Test
    void aFailureKnownBeforeTheReplyReplacesItAtOnce() {
        gw.finalReplyGate = CompletableFuture.completedFuture(DIAL_FAILED);
        assertThat(gw.server("150 Opening.\r\n226 Transfer done.\r\n")).isEqualTo("150 Opening.\r\n" + DIAL_FAILED);
    }

    @Test
    void theWriteThatBroughtAHeldReplySucceedsOnlyOnceItWentOut() {
        gw.finalReplyGate = new CompletableFuture<>();
        ChannelFuture write = gw.serverWrite("150 Opening.\r\n226 Transfer done.\r\n");
        ChannelFuture fin = gw.serverWrite(""); // the pipe flushes, then shuts the client's side down after it
        assertThat(gw.drainOutbound()).isEqualTo("150 Opening.\r\n");
        assertThat(write.isDone()).isFalse();
        assertThat(fin.isDone()).isFalse();
        gw.finalReplyGate.complete(null);
        assertThat(gw.drainOutbound()).isEqualTo("226 Transfer done.\r\n");
        assertThat(write.isSuccess()).isTrue();
        assertThat(fin.isSuccess()).isTrue();
    }

    @Test
    void onlyTheFinalReplyOfATransferIsAskedAbout() {
        assertThat(gw.client("NOOP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.server("150 Opening.\r\n226 Transfer done.\r\n200 NOOP ok.\r\n"))
                .isEqualTo("150 Opening.\r\n226 Transfer done.\r\n200 NOOP ok.\r\n");
        assertThat(gw.finalReplyCodes).containsExactly(226); // not the greeting, the 200s or the 150
    }

    @Test
    void aServerThatKeepsTalkingIsNotHeldPastTheLimit() {
        gw.finalReplyGate = new CompletableFuture<>();
        assertThat(gw.server("150 Opening.\r\n226 Transfer done.\r\n")).isEqualTo("150 Opening.\r\n");
        String chatter = ("200-" + "x".repeat(1000) + "\r\n").repeat(70);
        assertThat(gw.server(chatter)).isEqualTo("226 Transfer done.\r\n" + chatter);
        gw.finalReplyGate.complete(null);
        assertThat(gw.drainOutbound()).isEmpty();
    }

    @Test
    void aLateReleaseOfAHoldLetGoAlreadyDoesNotReleaseTheNextTransfersReply() {
        CompletableFuture<String> first = new CompletableFuture<>();
        gw.finalReplyGate = first;
        assertThat(gw.server("150 Opening.\r\n226 Transfer done.\r\n")).isEqualTo("150 Opening.\r\n");
        String chatter = ("200-" + "x".repeat(1000) + "\r\n").repeat(70);
        assertThat(gw.server(chatter + "200 end.\r\n")).isEqualTo("226 Transfer done.\r\n" + chatter + "200 end.\r\n");
        CompletableFuture<String> second = new CompletableFuture<>();
        gw.finalReplyGate = second;
        assertThat(gw.client("EPRT |1|198.51.100.10|50002|\r\nLIST\r\n")).isEqualTo("EPRT |1|192.0.2.10|50000|\r\nLIST\r\n");
        assertThat(gw.server("200 EPRT ok.\r\n150 Opening.\r\n226 Second done.\r\n")).isEqualTo("200 EPRT ok.\r\n150 Opening.\r\n");
        first.complete(DIAL_FAILED);
        assertThat(gw.drainOutbound()).isEmpty();
        second.complete(null);
        assertThat(gw.drainOutbound()).isEqualTo("226 Second done.\r\n");
    }

    @Test
    void aClosedConnectionDropsWhatWasHeld() {
        gw.finalReplyGate = new CompletableFuture<>();
        ChannelFuture write = gw.serverWrite("150 Opening.\r\n226 Transfer done.\r\n");
        assertThat(gw.drainOutbound()).isEqualTo("150 Opening.\r\n");
        gw.channel.close();
        gw.finalReplyGate.complete(null);
        gw.channel.runPendingTasks();
        assertThat(write.isDone()).isTrue();
        assertThat(write.isSuccess()).isFalse();
    }
}
