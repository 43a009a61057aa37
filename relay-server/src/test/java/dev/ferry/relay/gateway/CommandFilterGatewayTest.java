package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hook later checks plug into: forward, replace, answer locally (in order), or decide later. */
class CommandFilterGatewayTest {
    private final List<String> seen = new ArrayList<>();
    private CommandFilter filter = command -> CommandFilter.forward();
    private final GatewayHarness gw = new GatewayHarness(h -> new FtpControlGateway(GatewayHarness.config(4096), h,
            SessionEvents.NONE, command -> {
                seen.add(command.verb());
                return filter.decide(command);
            }));

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void thePassiveOnlyGatewayRefusesActiveModeAndRewritesPassive() {
        GatewayHarness passive = new GatewayHarness(h -> new FtpControlGateway(GatewayHarness.config(4096),
                port -> OptionalInt.of(40100)));
        passive.server("220 ready\r\n");
        assertThat(passive.client("PORT 198,51,100,10,195,80\r\nEPRT |1|198.51.100.10|5000|\r\nPASV\r\n"))
                .isEqualTo("PASV\r\n");
        assertThat(passive.drainOutbound()).isEqualTo(RefusedCommands.ACTIVE + RefusedCommands.ACTIVE);
        assertThat(passive.server("227 Entering Passive Mode (10,0,0,1,4,1)\r\n"))
                .isEqualTo("227 Entering Passive Mode (203,0,113,7,156,164)\r\n");
        assertThat(passive.finish()).isFalse();
    }

    @Test
    void localAnswersTakeTheirTurnAmongPipelinedReplies() {
        filter = command -> command.verb().equals("SITE") ? CommandFilter.answer("550 SITE refused here.\r\n")
                : CommandFilter.forward();
        gw.server("220 ready\r\n");
        assertThat(gw.client("PASV\r\nSITE CHMOD 777 x\r\nLPSV\r\nNOOP\r\nSITE y\r\n")).isEqualTo("PASV\r\nNOOP\r\n");
        assertThat(gw.drainOutbound()).isEmpty();
        assertThat(gw.server("227 ok (10,0,0,1,4,1)\r\n200 NOOP ok\r\n")).isEqualTo("227 ok (203,0,113,7,156,65)\r\n"
                + "550 SITE refused here.\r\n" + RefusedCommands.LPSV + "200 NOOP ok\r\n550 SITE refused here.\r\n");
        assertThat(seen).containsExactly("PASV", "SITE", "LPSV", "NOOP", "SITE");
    }

    @Test
    void aReplacementIsForwardedAndItsReplyMatchedToTheCommand() {
        filter = command -> command.verb().equalsIgnoreCase("pasv") ? CommandFilter.replace("PASV\r\n")
                : CommandFilter.forward();
        gw.server("220 ready\r\n");
        assertThat(gw.client("pasv\n")).isEqualTo("PASV\r\n");
        assertThat(gw.server("227 ok (10,0,0,1,4,1)\r\n")).isEqualTo("227 ok (203,0,113,7,156,65)\r\n");
    }

    @Test
    void aForwardedPortStillMeetsTheGatewaysOwnRefusal() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("PORT 198,51,100,10,195,80\r\n")).isEmpty();
        assertThat(gw.drainOutbound()).isEqualTo(RefusedCommands.ACTIVE);
    }

    @Test
    void aLaterDecisionHoldsWhatFollowsUntilItIsMade() {
        CompletableFuture<CommandFilter.Decision> decision = new CompletableFuture<>();
        filter = command -> command.verb().equals("SLOW") ? CommandFilter.later(decision) : CommandFilter.forward();
        gw.server("220 ready\r\n");
        assertThat(gw.client("NOOP\r\nSLOW\r\nPASV\r\nLI")).isEqualTo("NOOP\r\n");
        assertThat(gw.client("ST\r\n")).isEmpty();
        decision.complete(CommandFilter.replace("FAST\r\n"));
        assertThat(gw.drainInbound()).isEmpty(); // applied on the event loop
        gw.channel.runPendingTasks();
        assertThat(gw.drainInbound()).isEqualTo("FAST\r\nPASV\r\nLIST\r\n");
        assertThat(gw.server("200 a\r\n200 b\r\n227 (10,0,0,1,4,1)\r\n150 c\r\n226 d\r\n"))
                .isEqualTo("200 a\r\n200 b\r\n227 (203,0,113,7,156,65)\r\n150 c\r\n226 d\r\n");
    }

    @Test
    void aFailedOrThrowingDecisionIs451AndNothingIsForwarded() {
        filter = command -> switch (command.verb()) {
            case "FAIL" -> CommandFilter.later(CompletableFuture.failedFuture(new IllegalStateException("no")));
            case "NEST" -> CommandFilter.later(CompletableFuture.completedFuture(
                    CommandFilter.later(new CompletableFuture<>())));
            case "THROW" -> throw new IllegalStateException("bug");
            default -> CommandFilter.forward();
        };
        gw.server("220 ready\r\n");
        assertThat(gw.client("FAIL\r\nNEST\r\nTHROW\r\nNOOP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.drainOutbound()).isEqualTo(FtpControlGateway.FILTER_FAILED.repeat(3));
        assertThat(gw.server("200 ok\r\n")).isEqualTo("200 ok\r\n");
    }
}
