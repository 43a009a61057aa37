package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.registry.NodeDirectory;
import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.PublishedNodes;
import dev.ferry.relay.registry.RegistryBackend;
import dev.ferry.relay.registry.RegistrySettings;
import dev.ferry.relay.registry.RegistryStore;
import dev.ferry.relay.registry.RelayNode;
import dev.ferry.relay.tunnel.TunnelStore;
import io.etcd.jetcd.Client;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay node's registry in etcd: the {@link EtcdTunnelStore} for changes, a {@link RegistryWatch} for the
 * snapshot it serves from and for the node directory, and a {@link NodeLease} for its own entry. One thread
 * ({@code ferry-registry}) runs all of it; readers never wait on etcd.
 */
public final class EtcdBackend implements RegistryBackend {
    private static final Logger log = LoggerFactory.getLogger(EtcdBackend.class);
    /** How long a node stays listed after it stops renewing its lease. */
    public static final Duration NODE_TTL = Duration.ofSeconds(10);
    /** How long {@link #start} waits for the first snapshot before serving with none. */
    static final Duration FIRST_LIST = Duration.ofSeconds(5);

    private final Client client;
    private final boolean ownsClient;
    private final ScheduledExecutorService executor;
    private final EtcdTunnelStore store;
    private final RegistryWatch watch;
    private final NodeLease lease;
    private final PublishedNodes nodes = new PublishedNodes();
    private final List<Runnable> tunnelListeners = new CopyOnWriteArrayList<>();
    private final String where;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public EtcdBackend(Client client, boolean ownsClient, RegistrySettings settings, Clock clock, Duration nodeTtl) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.where = settings.describe();
        EtcdKeys keys = new EtcdKeys(settings.prefix());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-registry");
            t.setDaemon(true);
            return t;
        });
        this.store = new EtcdTunnelStore(client, false, keys, where, EtcdTunnelStore.DEFAULT_TIMEOUT);
        this.watch = new RegistryWatch(client, keys, executor, clock, where, this::changed);
        this.lease = new NodeLease(client, keys, executor, clock, nodeTtl, where);
    }

    /** Connects, lists (waiting up to {@link #FIRST_LIST} for it), and keeps watching. */
    public static EtcdBackend start(RegistrySettings settings, java.nio.file.Path dataDir) {
        EtcdBackend backend = new EtcdBackend(EtcdClients.build(settings), true, settings, Clock.systemUTC(), NODE_TTL);
        backend.startWatching(FIRST_LIST);
        return backend;
    }

    /** Starts the watch and waits up to {@code firstList} for the first snapshot. */
    public EtcdBackend startWatching(Duration firstList) {
        watch.start();
        long deadline = System.nanoTime() + firstList.toNanos();
        while (watch.view().revision() == 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (watch.view().revision() == 0) {
            log.warn("{} did not answer within {} s: serving no tunnels until it does (registration is refused meanwhile)",
                    where, firstList.toSeconds());
        } else {
            log.info("registry: {} tunnels and {} nodes in {} at revision {}", watch.view().tunnels().size(),
                    watch.view().nodes().size(), where, watch.view().revision());
        }
        return this;
    }

    private void changed(RegistryView view) {
        nodes.publish(List.copyOf(view.nodes().values()));
        tunnelListeners.forEach(Runnable::run);
    }

    @Override
    public RegistryStore store() {
        return store;
    }

    @Override
    public TunnelStore.Snapshot tunnels() {
        return watch.view().snapshot();
    }

    /** The snapshot with its revision. */
    public RegistryView view() {
        return watch.view();
    }

    @Override
    public void onTunnelsChanged(Runnable onChange) {
        tunnelListeners.add(onChange);
    }

    @Override
    public boolean polled() {
        return false;
    }

    @Override
    public NodeDirectory nodeDirectory() {
        return nodes;
    }

    @Override
    public void announce(RelayNode self) {
        lease.announce(self);
    }

    @Override
    public void changeState(NodeState state) {
        lease.changeState(state);
    }

    @Override
    public Optional<Instant> staleSince() {
        return watch.staleSince();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lease.close();
        watch.close();
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
