package dev.ferry.relay.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import io.netty.util.ResourceLeakDetector;

/** A gateway in an EmbeddedChannel, with recording endpoints: client and server sides as strings. */
final class GatewayHarness implements DataEndpoints, SessionEvents {
    static final String CLIENT_IP = "198.51.100.10";
    static final String PUBLIC_IP = "203.0.113.7";

    final TrackingAllocator allocator = new TrackingAllocator();
    final List<Integer> leasedFor = new ArrayList<>();
    final List<InetSocketAddress> activeFor = new ArrayList<>();
    final EmbeddedChannel channel;
    int nextPort = 40001;
    boolean noPorts;
    InetSocketAddress agentListen = new InetSocketAddress("192.0.2.10", 50000);
    int logins;
    int commands;
    int opaque;
    int failures;
    /** Final replies that went to the client ({@link SessionEvents#answered}). */
    int replies;
    Duration failureDelay = Duration.ZERO;
    /** What {@link #finalReplyDue} returns (null: the final reply goes at once); the codes it was asked for. */
    CompletableFuture<String> finalReplyGate;
    final List<Integer> finalReplyCodes = new ArrayList<>();
    /** Show the urgent byte of urgent data reaching the server as {@code <URGENT hex>}, not as itself. */
    boolean showUrgent;

    GatewayHarness() {
        this(GatewayConfig.DEFAULT_MAX_LINE_LENGTH);
    }

    GatewayHarness(int maxLine) {
        this(gw -> new FtpControlGateway(config(maxLine), gw, gw, address(CLIENT_IP)));
    }

    /** A gateway built by {@code gateway} from this harness (its endpoints and events). */
    GatewayHarness(Function<GatewayHarness, FtpControlGateway> gateway) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(gateway.apply(this));
    }

    static GatewayConfig config(int maxLine) {
        return GatewayConfig.builder().publicAddress((Inet4Address) address(PUBLIC_IP)).maxLineLength(maxLine).build();
    }

    static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public OptionalInt lease(int upstreamPort) {
        leasedFor.add(upstreamPort);
        return noPorts ? OptionalInt.empty() : OptionalInt.of(nextPort++);
    }

    @Override
    public CompletionStage<InetSocketAddress> prepareActive(InetSocketAddress client) {
        activeFor.add(client);
        return CompletableFuture.completedFuture(agentListen);
    }

    @Override
    public CompletionStage<String> finalReplyDue(int code) {
        finalReplyCodes.add(code);
        return finalReplyGate;
    }

    @Override
    public void commandReceived() {
        commands++;
    }

    @Override
    public void sessionOpaque() {
        opaque++;
    }

    @Override
    public void answered(FtpCommand command, int code, String text) {
        replies++;
    }

    @Override
    public void loginSucceeded() {
        logins++;
    }

    @Override
    public Duration loginFailed() {
        failures++;
        return failureDelay;
    }

    /** The client sends {@code text}; returns what reaches the server. */
    String client(String text) {
        return client(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    String client(byte[] bytes) {
        channel.writeInbound(allocator.track(Unpooled.wrappedBuffer(bytes)));
        channel.runPendingTasks();
        return drainInbound();
    }

    /**
     * The client sends {@code text} and the relay reads it in one read that did not fill its buffer
     * (as a socket read stops just before an urgent byte); returns what reaches the server.
     */
    String clientShortRead(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        channel.writeInbound(allocator.track(Unpooled.buffer(bytes.length + 64).writeBytes(bytes)));
        channel.runPendingTasks();
        return drainInbound();
    }

    String drainInbound() {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = channel.readInbound()) != null; ) {
            if (m instanceof dev.ferry.link.pipe.PipeFrame.Urgent urgent) {
                String bytes = urgent.bytes().toString(StandardCharsets.ISO_8859_1);
                out.append(showUrgent ? "<URGENT " + String.format("%02x", (int) bytes.charAt(0)) + ">" + bytes.substring(1) : bytes);
                continue;
            }
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    /** The server sends {@code text}; returns what reaches the client (local replies included). */
    String server(String text) {
        channel.writeOutbound(allocator.track(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1)));
        channel.runPendingTasks();
        return drainOutbound();
    }

    /** The server sends {@code text}; the write's future, for what reaches the client see {@link #drainOutbound}. */
    io.netty.channel.ChannelFuture serverWrite(String text) {
        io.netty.channel.ChannelFuture f = channel.writeAndFlush(allocator.track(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1)));
        channel.runPendingTasks();
        return f;
    }

    /** What reached the client without the server sending anything (local replies). */
    String drainOutbound() {
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    /** Closes the channel and reports whether anything was left unread or any buffer unreleased. */
    boolean finish() {
        boolean unread = channel.finishAndReleaseAll();
        return unread || allocator.unreleased() > 0;
    }
}
