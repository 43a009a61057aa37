package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Boundaries, half-close, promises, over-long replies, and what happens after 234. */
class GatewayEdgeCasesTest {
    private GatewayHarness gw = new GatewayHarness();

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).as("nothing unread, every buffer released").isFalse();
    }

    @Test
    void theHarnessNoticesAnUnreleasedBuffer() {
        ByteBuf leaked = gw.channel.alloc().buffer(8);
        assertThat(gw.finish()).isTrue();
        leaked.release();
    }

    @Test
    void aLineOfExactlyMaxLineLengthIsACommandOneMoreIs500() {
        gw.server("220 ready\r\n");
        String exact = "SITE " + "A".repeat(4096 - 5);
        assertThat(gw.client(exact + "\r\n")).isEqualTo(exact + "\r\n");
        assertThat(gw.client(exact + "B\n")).isEmpty();
        assertThat(gw.server("200 ok\r\n")).isEqualTo("200 ok\r\n" + FtpControlGateway.TOO_LONG);
    }

    @Test
    void anOverLongLineSentInPiecesIsOne500AndThePortInsideNeverReachesTheServer() {
        gw.server("220 ready\r\n");
        String longLine = "SITE " + "A".repeat(4091) + "PORT 127,0,0,1,0,25\r\n" + "B".repeat(85) + "\r\n";
        StringBuilder toServer = new StringBuilder();
        for (int i = 0; i < longLine.length(); i += 100) {
            toServer.append(gw.client(longLine.substring(i, Math.min(longLine.length(), i + 100))));
        }
        // The line ended at the LF after the PORT: everything after is a new (ordinary) line.
        assertThat(toServer.toString()).isEqualTo("B".repeat(85) + "\r\n");
        assertThat(gw.drainOutbound()).isEqualTo(FtpControlGateway.TOO_LONG);
        assertThat(gw.activeFor).isEmpty();
    }

    @Test
    void aLongServerLineStreamsThroughWithoutBeingHeld() {
        gw.server("220 ready\r\n");
        gw.client("STAT\r\n");
        String head = "211-" + "x".repeat(20_000);
        String out = gw.server(head);
        assertThat(out.length()).isGreaterThanOrEqualTo(head.length() - 4098);
        assertThat(out + gw.server("\r\n211 End\r\n")).isEqualTo(head + "\r\n211 End\r\n");
    }

    @Test
    void anOverLongPassiveFinalLineBecomes425() {
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        String reply = "227 Entering Passive Mode " + "y".repeat(5000) + " (10,0,0,1,4,1)\r\n";
        assertThat(gw.server(reply)).isEqualTo(PassiveReplyRewriter.UNREADABLE);
        assertThat(gw.leasedFor).isEmpty();
        gw.client("NOOP\r\n");
        assertThat(gw.server("200 ok\r\n")).isEqualTo("200 ok\r\n");
    }

    @Test
    void aMultiLinePassiveReplyThatCannotBeReadIsReplacedWhole() {
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("227-Passive\r\n227-more\r\n227 nothing here\r\n")).isEqualTo(PassiveReplyRewriter.UNREADABLE);
        gw.noPorts = true;
        gw.client("EPSV\r\n");
        assertThat(gw.server("229-x\r\n229 ok (|||5000|)\r\n")).isEqualTo(PassiveReplyRewriter.NO_PORT);
        assertThat(gw.leasedFor).containsExactly(5000);
    }

    @Test
    void epsvAllIsAnOrdinaryCommand() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("EPSV ALL\r\n")).isEqualTo("EPSV ALL\r\n");
        assertThat(gw.server("200 EPSV ALL ok\r\n")).isEqualTo("200 EPSV ALL ok\r\n");
        gw.client("epsv\r\n");
        assertThat(gw.server("229 Entering Passive Mode (|||6000|)\r\n")).isEqualTo("229 Entering Passive Mode (|||40001|)\r\n");
    }

    @Test
    void aGreetingAfter120AndTelnetOptionBytesBeforePasv() {
        assertThat(gw.server("120 Wait a moment\r\n")).isEqualTo("120 Wait a moment\r\n");
        byte[] pasv = "\u00ff\u00fb\u0001\u00ff\u00fd\u0003PaSv\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(gw.client(pasv).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(pasv);
        assertThat(gw.server("220 ready\r\n")).isEqualTo("220 ready\r\n");
        assertThat(gw.server("227 ok (10,0,0,1,4,1)\r\n")).isEqualTo("227 ok (203,0,113,7,156,65)\r\n");
    }

    @Test
    void bytesAfter234InTheSameWritePassRaw() {
        gw.server("220 ready\r\n");
        gw.client("AUTH TLS\r\n");
        assertThat(gw.server("234 go\r\n\u0016\u0003\u0001no line end")).isEqualTo("234 go\r\n\u0016\u0003\u0001no line end");
        assertThat(gw.client("\u0016\u0003\u0001PASV\r\n")).isEqualTo("\u0016\u0003\u0001PASV\r\n");
        assertThat(gw.server("227 x (10,0,0,1,4,1)\r\n")).isEqualTo("227 x (10,0,0,1,4,1)\r\n");
    }

    @Test
    void clientBytesHeldDuringAuthKeepTheirOrderAndPartialLines() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("AUTH SSL\r\nPA")).isEqualTo("AUTH SSL\r\n");
        assertThat(gw.client("SV\r\nNO")).isEmpty();
        assertThat(gw.server("502 no\r\n")).isEqualTo("502 no\r\n");
        assertThat(gw.drainInbound()).isEqualTo("PASV\r\n");
        assertThat(gw.client("OP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.server("227 (10,0,0,1,4,1)\r\n200 ok\r\n")).isEqualTo("227 (203,0,113,7,156,65)\r\n200 ok\r\n");
    }

    @Test
    void anUnfinishedLastLineAtHalfCloseIsStillChecked() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("NOOP\r\nPORT 127,0,0,1,0,25")).isEqualTo("NOOP\r\n");
        gw.channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(gw.drainInbound()).isEmpty();
        assertThat(gw.server("200 ok\r\n")).startsWith("200 ok\r\n501 PORT must name your own address");

        gw.finish();
        gw = new GatewayHarness();
        gw.server("220 ready\r\n");
        assertThat(gw.client("QUIT")).isEmpty();
        gw.channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(gw.drainInbound()).isEqualTo("QUIT");
    }

    @Test
    void aPartialReplyLineCompletesItsWritePromiseAndFlushesPassThrough() {
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        ChannelFuture first = gw.channel.write(Unpooled.copiedBuffer("227 Entering (10,0,", StandardCharsets.US_ASCII));
        assertThat(first.isSuccess()).isTrue();
        ChannelFuture second = gw.channel.write(Unpooled.copiedBuffer("0,1,4,1)\r\n", StandardCharsets.US_ASCII));
        assertThat(gw.drainOutbound()).isEmpty(); // not flushed yet
        gw.channel.flush();
        assertThat(second.isSuccess()).isTrue();
        assertThat(gw.drainOutbound()).isEqualTo("227 Entering (203,0,113,7,156,65)\r\n");
        gw.channel.writeAndFlush(Unpooled.copiedBuffer("421 bye", StandardCharsets.US_ASCII), gw.channel.voidPromise());
        gw.channel.writeAndFlush(Unpooled.EMPTY_BUFFER); // what the pipe writes before the server's FIN
        assertThat(gw.drainOutbound()).isEqualTo("421 bye");
    }

    @Test
    void aFailingLeaseIs425AndTheConnectionGoesOn() {
        gw.finish();
        gw = new GatewayHarness(h -> new FtpControlGateway(GatewayHarness.config(4096), port -> {
            throw new IllegalStateException("pool broken");
        }));
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("227 x (10,0,0,1,4,1)\r\n")).isEqualTo(PassiveReplyRewriter.NO_PORT);
        gw.client("NOOP\r\n");
        assertThat(gw.server("200 ok\r\n")).isEqualTo("200 ok\r\n");
        assertThat(gw.channel.isOpen()).isTrue();
    }

    @Test
    void afterAuthTlsIsAcceptedTheSessionIsToldItIsOpaque() {
        gw.server("220 ready\r\n");
        gw.client("AUTH TLS\r\n");
        assertThat(gw.opaque).isZero();
        gw.server("234 go\r\n");
        assertThat(gw.opaque).isEqualTo(1);
        int before = gw.commands;
        assertThat(gw.client("\u0017\u0003\u0003\u0000\u0001x\r\n")).isEqualTo("\u0017\u0003\u0003\u0000\u0001x\r\n");
        assertThat(gw.commands).as("nothing is read as a command").isEqualTo(before);
    }

    @Test
    void aRefusedAuthLeavesTheSessionReadable() {
        gw.server("220 ready\r\n");
        gw.client("AUTH TLS\r\n");
        gw.server("534 no TLS here\r\n");
        assertThat(gw.opaque).isZero();
    }

    @Test
    void aClientOpeningWithATlsRecordGetsAnAlertAndIsClosedAtOnce() {
        assertThat(gw.client("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003")).isEmpty();
        assertThat(gw.drainOutbound().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(FtpControlGateway.TLS_ALERT);
        assertThat(gw.channel.isOpen()).isFalse();
    }

    @Test
    void aClientOpeningWithATlsRecordAfterTheGreetingIsClosedWithoutAWord() {
        assertThat(gw.server("220 ready\r\n")).isEqualTo("220 ready\r\n");
        assertThat(gw.client("\u0016\u0003\u0001\u0002\u0000")).isEmpty();
        assertThat(gw.drainOutbound()).isEmpty();
        assertThat(gw.channel.isOpen()).isFalse();
    }

    @Test
    void aTlsRecordByteLaterInTheSessionIsJustInput() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("NOOP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.client("\u0016NOOP\r\n")).isEqualTo("\u0016NOOP\r\n");
        assertThat(gw.channel.isOpen()).isTrue();
    }
}
