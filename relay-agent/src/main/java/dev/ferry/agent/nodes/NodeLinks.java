package dev.ferry.agent.nodes;

import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.link.LinkOutcome;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link NodeLink} per relay node the agent knows: links to nodes that appear, closes the links
 * of nodes that are gone. A node that dies but stays in the name keeps its link, which reconnects
 * with backoff until the node is back. The agent gives up only when every node refused it for good.
 */
public final class NodeLinks implements NodeLink.Events {
    private static final Logger log = LoggerFactory.getLogger(NodeLinks.class);

    /** How long a node that refused the agent waits before it is tried again, while other nodes serve. */
    static final Duration REFUSED_RETRY = Duration.ofSeconds(30);

    private final Function<InetSocketAddress, String> labels;
    private final Function<InetSocketAddress, ManagedChannel> channels;
    private final NodeLink.Connector connector;
    private final Supplier<Backoff> backoffs;
    private final ScheduledExecutorService timer;
    private final Runnable onLive;
    private final Map<InetSocketAddress, NodeLink> links = new LinkedHashMap<>();
    private final CompletableFuture<LinkOutcome> refusedEverywhere = new CompletableFuture<>();

    /**
     * @param labels how each node is named in log lines
     * @param channels a new channel to a node, for each attempt
     * @param connector one attempt over a channel
     * @param backoffs a fresh backoff for each node's link
     * @param timer runs attempts and retries
     * @param onLive runs each time any node welcomes the agent
     */
    public NodeLinks(Function<InetSocketAddress, String> labels, Function<InetSocketAddress, ManagedChannel> channels,
            NodeLink.Connector connector, Supplier<Backoff> backoffs, ScheduledExecutorService timer, Runnable onLive) {
        this.labels = labels;
        this.channels = channels;
        this.connector = connector;
        this.backoffs = backoffs;
        this.timer = timer;
        this.onLive = onLive;
    }

    /** Completes with a refusal once every known node has refused the agent for good. */
    public CompletableFuture<LinkOutcome> refusedEverywhere() {
        return refusedEverywhere;
    }

    /** Makes the links match {@code nodes}: new nodes get a link, links to nodes not listed are closed. */
    public synchronized void update(Set<InetSocketAddress> nodes) {
        List<NodeLink> gone = new ArrayList<>();
        links.entrySet().removeIf(e -> {
            if (!nodes.contains(e.getKey())) {
                gone.add(e.getValue());
                return true;
            }
            return false;
        });
        for (NodeLink link : gone) {
            log.info("relay node {} is no longer listed: closing its link (its transfers finish)", link.label());
            link.stop();
        }
        boolean first = links.isEmpty() && gone.isEmpty();
        for (InetSocketAddress node : nodes) {
            if (!links.containsKey(node)) {
                NodeLink link = new NodeLink(node, labels.apply(node), channels, connector, backoffs.get(), REFUSED_RETRY,
                        timer, this);
                links.put(node, link);
                if (!first) {
                    log.info("relay node {} appeared: linking to it", link.label());
                }
                link.start();
            }
        }
    }

    /** The nodes linked to now (welcomed and not ended since). */
    public synchronized int liveCount() {
        return (int) links.values().stream().filter(NodeLink::isLive).count();
    }

    /** The nodes this agent keeps a link to (live or reconnecting). */
    public synchronized Set<InetSocketAddress> nodes() {
        return Set.copyOf(links.keySet());
    }

    public synchronized void stopAll() {
        links.values().forEach(NodeLink::stop);
        links.clear();
    }

    @Override
    public void live(NodeLink link) {
        onLive.run();
    }

    @Override
    public synchronized boolean refused(NodeLink link, LinkOutcome outcome) {
        if (links.get(link.node()) != link) {
            return true; // closed meanwhile
        }
        boolean all = links.values().stream().allMatch(l -> l.refusal() != null);
        if (all) {
            refusedEverywhere.complete(outcome);
        }
        return all;
    }
}
