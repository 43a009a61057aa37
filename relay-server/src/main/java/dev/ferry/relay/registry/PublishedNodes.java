package dev.ferry.relay.registry;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link NodeDirectory} whose list its owner publishes; listeners hear each different list once, in order. */
public final class PublishedNodes implements NodeDirectory {
    private static final Logger log = LoggerFactory.getLogger(PublishedNodes.class);
    private final List<Consumer<List<RelayNode>>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<RelayNode> nodes = List.of();

    /** Replaces the list (sorted here by id) and tells every listener, unless nothing changed. */
    public synchronized void publish(List<RelayNode> next) {
        List<RelayNode> sorted = next.stream().sorted(Comparator.comparing(RelayNode::id)).toList();
        if (sorted.equals(nodes)) {
            return;
        }
        nodes = sorted;
        for (Consumer<List<RelayNode>> l : listeners) {
            try {
                l.accept(sorted);
            } catch (RuntimeException e) {
                log.error("a node directory listener failed: {}", e.toString());
            }
        }
    }

    @Override
    public List<RelayNode> nodes() {
        return nodes;
    }

    @Override
    public synchronized Subscription subscribe(Consumer<List<RelayNode>> listener) {
        listeners.add(listener);
        listener.accept(nodes);
        return () -> listeners.remove(listener);
    }
}
