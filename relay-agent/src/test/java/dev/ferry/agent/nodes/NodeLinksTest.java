package dev.ferry.agent.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.link.LinkOutcome;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The links of one agent to the nodes it knows, with attempts the test completes by hand: no network
 * (channels are built but never used, so they never dial).
 */
class NodeLinksTest {
    private static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 7835);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 7835);
    private static final InetSocketAddress C = new InetSocketAddress("192.0.2.3", 7835);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
    /** Every attempt, in order: the node's label and the future the test completes. */
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final Map<String, Runnable> welcome = new ConcurrentHashMap<>();
    private int lives;

    record Attempt(String label, CompletableFuture<LinkOutcome> ended) {
    }

    private NodeLinks links() {
        return new NodeLinks(node -> node.getAddress().getHostAddress(), node -> {
            ManagedChannel channel = NettyChannelBuilder.forAddress(node).usePlaintext().build();
            channels.add(channel);
            return channel;
        }, (node, channel, label, onLive) -> {
            CompletableFuture<LinkOutcome> ended = new CompletableFuture<>();
            attempts.add(new Attempt(label, ended));
            welcome.put(label, onLive);
            return ended;
        }, () -> new Backoff(Duration.ofMillis(1), Duration.ofMillis(2), new Random(1)), timer, () -> lives++);
    }

    @AfterEach
    void stop() throws Exception {
        timer.shutdownNow();
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private List<String> labels() {
        return attempts.stream().map(Attempt::label).toList();
    }

    private Attempt last(String label) {
        List<Attempt> of = attempts.stream().filter(a -> a.label().equals(label)).toList();
        return of.get(of.size() - 1);
    }

    @Test
    void linksToNewNodesAndClosesTheLinksOfNodesThatAreGone() {
        NodeLinks links = links();
        links.update(Set.of(A, B));
        Awaitility.await().until(() -> attempts.size() == 2);
        assertThat(labels()).containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");

        welcome.get("192.0.2.1").run();
        welcome.get("192.0.2.2").run();
        assertThat(links.liveCount()).isEqualTo(2);
        assertThat(lives).isEqualTo(2);

        links.update(Set.of(B, C));
        Awaitility.await().until(() -> attempts.size() == 3);
        assertThat(last("192.0.2.3").ended()).isNotDone();
        assertThat(last("192.0.2.1").ended()).isCompletedWithValueMatching(o -> o.kind() == LinkOutcome.Kind.STOPPED);
        assertThat(last("192.0.2.2").ended()).as("B's link is left alone").isNotDone();
        assertThat(links.nodes()).containsExactlyInAnyOrder(B, C);

        links.update(Set.of(B, C));
        assertThat(attempts).as("the same list changes nothing").hasSize(3);
    }

    @Test
    void aLostLinkReconnectsWhileTheOthersStayUp() {
        NodeLinks links = links();
        links.update(Set.of(A, B));
        Awaitility.await().until(() -> attempts.size() == 2);
        welcome.get("192.0.2.1").run();
        welcome.get("192.0.2.2").run();

        last("192.0.2.2").ended().complete(new LinkOutcome(LinkOutcome.Kind.LOST, "link to relay lost: reset"));
        Awaitility.await().until(() -> attempts.size() == 3);
        assertThat(labels().get(2)).isEqualTo("192.0.2.2");
        assertThat(links.liveCount()).as("A is still live; B's new attempt is not welcomed yet").isEqualTo(1);
        assertThat(last("192.0.2.1").ended()).isNotDone();
        assertThat(links.refusedEverywhere()).isNotDone();
    }

    @Test
    void theAgentGivesUpOnlyWhenEveryNodeRefusedIt() {
        NodeLinks links = links();
        links.update(Set.of(A, B));
        Awaitility.await().until(() -> attempts.size() == 2);

        LinkOutcome refused = new LinkOutcome(LinkOutcome.Kind.REFUSED, "the relay refused this agent: invalid token");
        last("192.0.2.1").ended().complete(refused);
        assertThat(links.refusedEverywhere()).as("B may still accept it").isNotDone();
        last("192.0.2.2").ended().complete(refused);
        assertThat(links.refusedEverywhere()).isCompletedWithValue(refused);
    }

    @Test
    void aSingleNodeRefusingEndsTheAgentAsBefore() {
        NodeLinks links = links();
        links.update(Set.of(A));
        Awaitility.await().until(() -> attempts.size() == 1);
        LinkOutcome wrong = new LinkOutcome(LinkOutcome.Kind.WRONG_CERTIFICATE, "the relay's certificate does not match");
        last("192.0.2.1").ended().complete(wrong);
        assertThat(links.refusedEverywhere()).isCompletedWithValue(wrong);
    }

    @Test
    void stopAllStopsEveryLinkAndNothingReconnects() throws Exception {
        NodeLinks links = links();
        links.update(Set.of(A, B, C));
        Awaitility.await().until(() -> attempts.size() == 3);
        links.stopAll();
        assertThat(attempts).allSatisfy(a -> assertThat(a.ended()).isCompletedWithValueMatching(
                o -> o.kind() == LinkOutcome.Kind.STOPPED));
        Thread.sleep(50);
        assertThat(attempts).hasSize(3);
    }
}
