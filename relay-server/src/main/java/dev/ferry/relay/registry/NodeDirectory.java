package dev.ferry.relay.registry;

import java.util.List;
import java.util.function.Consumer;

/**
 * The relay nodes that are alive now: with etcd, one key per node under that node's lease (a node
 * that stops keeping its lease alive disappears when the lease expires); with the data dir, just
 * this relay. What {@code WatchNodes} on the agent's Control call serves.
 */
public interface NodeDirectory {
    /** The live nodes now, sorted by id; this relay is among them once it has registered. */
    List<RelayNode> nodes();

    /**
     * Calls {@code listener} with the whole list now and after every change (a node came, went, or
     * changed its state), from one thread at a time and in order. Listeners must not block.
     */
    Subscription subscribe(Consumer<List<RelayNode>> listener);

    /** Stops a listener. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
