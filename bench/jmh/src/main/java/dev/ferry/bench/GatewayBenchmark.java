package dev.ferry.bench;

import dev.ferry.relay.gateway.DataEndpoints;
import dev.ferry.relay.gateway.FtpControlGateway;
import dev.ferry.relay.gateway.GatewayConfig;
import dev.ferry.relay.gateway.SessionEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's per-command cost: one command in, one reply out, through the real handler in an
 * EmbeddedChannel. {@code noop} is the common case (scan, classify, pass unchanged); {@code pasv}
 * adds parsing and rewriting a 227. Run: {@code java -jar bench/jmh/target/ferry-jmh.jar}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GatewayBenchmark {
    private static final byte[] NOOP = "NOOP\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOOP_OK = "200 NOOP ok.\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASV = "PASV\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASV_OK =
            "227 Entering Passive Mode (192,168,1,20,195,80).\r\n".getBytes(StandardCharsets.US_ASCII);

    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        DataEndpoints endpoints = new DataEndpoints() {
            @Override
            public OptionalInt lease(int upstreamPort) {
                return OptionalInt.of(40001);
            }

            @Override
            public CompletionStage<InetSocketAddress> prepareActive(InetSocketAddress client) {
                return CompletableFuture.completedFuture(client);
            }
        };
        channel = new EmbeddedChannel(new FtpControlGateway(
                GatewayConfig.of((Inet4Address) InetAddress.getByName("203.0.113.7")), endpoints, SessionEvents.NONE,
                InetAddress.getByName("198.51.100.10")));
        exchange(new byte[0], "220 ready\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    private int exchange(byte[] command, byte[] reply) {
        int n = 0;
        if (command.length > 0) {
            channel.writeInbound(Unpooled.wrappedBuffer(command));
            ByteBuf forwarded = channel.readInbound();
            n += forwarded.readableBytes();
            forwarded.release();
        }
        channel.writeOutbound(Unpooled.wrappedBuffer(reply));
        ByteBuf answered = channel.readOutbound();
        n += answered.readableBytes();
        answered.release();
        return n;
    }

    @Benchmark
    public int noop() {
        return exchange(NOOP, NOOP_OK);
    }

    @Benchmark
    public int pasv() {
        return exchange(PASV, PASV_OK);
    }
}
