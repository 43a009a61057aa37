package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a draining session asks the gateway: does a command or transfer run, and when did a final reply go out. */
class DrainStateGatewayTest {
    private final GatewayHarness gw = new GatewayHarness();
    private final FtpControlGateway gateway = gw.channel.pipeline().get(FtpControlGateway.class);

    private void greeted() {
        gw.server("220 Welcome\r\n");
        assertThat(gateway.awaitingReply()).isFalse();
        gw.replies = 0;
    }

    @Test
    void theServersGreetingIsAwaitedFirst() {
        assertThat(gateway.awaitingReply()).as("until the server's 220").isTrue();
        assertThat(gw.server("220 Welcome\r\n")).isEqualTo("220 Welcome\r\n");
        assertThat(gateway.awaitingReply()).isFalse();
        assertThat(gw.replies).isEqualTo(1);
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void aTransferRunsFromItsCommandToItsFinalReply() {
        greeted();
        assertThat(gw.client("RETR big.bin\r\n")).isEqualTo("RETR big.bin\r\n");
        assertThat(gateway.awaitingReply()).isTrue();
        assertThat(gw.server("150 Opening BINARY mode data connection\r\n")).startsWith("150 ");
        assertThat(gateway.awaitingReply()).as("after the 150, until the 226").isTrue();
        assertThat(gw.replies).isZero();
        assertThat(gw.server("226 Transfer complete\r\n")).isEqualTo("226 Transfer complete\r\n");
        assertThat(gateway.awaitingReply()).isFalse();
        assertThat(gw.replies).isEqualTo(1);
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void pipelinedCommandsAndMultiLineRepliesCountOnceEach() {
        greeted();
        gw.client("NOOP\r\nHELP\r\n");
        gw.server("200 NOOP ok\r\n");
        assertThat(gateway.awaitingReply()).as("HELP still owed").isTrue();
        gw.server("214-The following commands are recognized\r\n USER PASS\r\n");
        assertThat(gateway.awaitingReply()).isTrue();
        assertThat(gw.replies).isEqualTo(1);
        gw.server("214 Help OK\r\n");
        assertThat(gateway.awaitingReply()).isFalse();
        assertThat(gw.replies).isEqualTo(2);
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void aFailedTransferEndsItToo() {
        greeted();
        gw.client("RETR missing.bin\r\n");
        gw.server("550 No such file\r\n");
        assertThat(gateway.awaitingReply()).isFalse();
        assertThat(gw.replies).isEqualTo(1);
        assertThat(gw.finish()).isFalse();
    }
}
