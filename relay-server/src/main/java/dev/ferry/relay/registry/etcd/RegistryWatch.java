package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.registry.RelayNode;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelStore;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RegistryView} of everything under the prefix: lists it (one linearizable range read), then
 * watches from the next revision, so no change falls between the two. When the watch ends for any reason
 * (jetcd ends it for good after a compaction or a lost leader; the watch asks for a leader so a member cut
 * off from its cluster ends it too) it lists again and watches again, retrying with a growing pause while
 * etcd cannot be reached. Meanwhile the last view stays in force and {@link #staleSince()} says since when.
 * A probe (a linearizable count every {@link #PROBE_INTERVAL}) notices a silent loss of etcd as well.
 * Everything runs on one thread ({@code executor}); the view is swapped atomically, so readers never block.
 */
final class RegistryWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryWatch.class);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    private static final long MIN_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 2000;

    private final Client client;
    private final EtcdKeys keys;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Consumer<RegistryView> changed;
    private final String where;
    private volatile RegistryView view = RegistryView.EMPTY;
    private volatile Instant staleSince;
    /** Counts lists; a watch callback from an older list is ignored. Only touched on the executor. */
    private long generation;
    private Watch.Watcher watcher;
    private boolean listing;
    private boolean watching;
    private boolean probeFailing;
    private long retryMs = MIN_RETRY_MS;
    private ScheduledFuture<?> probe;
    private volatile boolean closed;
    private boolean everInStep;

    RegistryWatch(Client client, EtcdKeys keys, ScheduledExecutorService executor, Clock clock, String where,
            Consumer<RegistryView> changed) {
        this.client = client;
        this.keys = keys;
        this.executor = executor;
        this.clock = clock;
        this.where = where;
        this.changed = changed;
        this.staleSince = clock.instant(); // nothing read yet
    }

    void start() {
        executor.execute(this::list);
        probe = executor.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    RegistryView view() {
        return view;
    }

    Optional<Instant> staleSince() {
        return Optional.ofNullable(staleSince);
    }

    /** Lists everything, then watches from the next revision. On the executor. */
    private void list() {
        if (closed || listing) {
            return;
        }
        listing = true;
        long gen = ++generation;
        stopWatching();
        client.getKVClient().get(keys.all(), GetOption.builder().isPrefix(true).build())
                .orTimeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((response, error) -> listed(gen, response, error), executor);
    }

    private void listed(long gen, GetResponse response, Throwable error) {
        listing = false;
        if (closed || gen != generation) {
            return;
        }
        if (error != null) {
            markStale("cannot list the registry: " + EtcdCalls.failure(error, where, "listing").getMessage());
            long pause = retryMs;
            retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
            executor.schedule(this::list, pause, TimeUnit.MILLISECONDS);
            return;
        }
        retryMs = MIN_RETRY_MS;
        long revision = response.getHeader().getRevision();
        Map<String, Tunnel> tunnels = new HashMap<>();
        Map<String, TunnelStore.Unreadable> unreadable = new HashMap<>();
        Map<String, RelayNode> nodes = new HashMap<>();
        for (KeyValue kv : response.getKvs()) {
            put(kv, tunnels, unreadable, nodes);
        }
        replace(new RegistryView(revision, tunnels, unreadable, nodes));
        watch(gen, revision + 1);
    }

    private void watch(long gen, long fromRevision) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).withRequireLeader(true).build();
        watcher = client.getWatchClient().watch(keys.all(), option, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                executor.execute(() -> events(gen, response));
            }

            @Override
            public void onError(Throwable error) {
                executor.execute(() -> ended(gen, error));
            }

            @Override
            public void onCompleted() {
                executor.execute(() -> ended(gen, null));
            }
        });
        watching = true;
        if (!probeFailing) {
            markFresh();
        }
    }

    private void events(long gen, WatchResponse response) {
        if (closed || gen != generation || response.getEvents().isEmpty()) {
            return;
        }
        RegistryView current = view;
        Map<String, Tunnel> tunnels = new HashMap<>(current.tunnels());
        Map<String, TunnelStore.Unreadable> unreadable = new HashMap<>(current.unreadable());
        Map<String, RelayNode> nodes = new HashMap<>(current.nodes());
        long revision = current.revision();
        for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            revision = Math.max(revision, kv.getModRevision());
            if (event.getEventType() == WatchEvent.EventType.PUT) {
                put(kv, tunnels, unreadable, nodes);
            } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                String key = kv.getKey().toString(StandardCharsets.UTF_8);
                if (key.startsWith(keys.tunnelsPrefix())) {
                    String name = key.substring(keys.tunnelsPrefix().length());
                    tunnels.remove(name);
                    unreadable.remove(name);
                } else if (key.startsWith(keys.nodesPrefix())) {
                    nodes.remove(key.substring(keys.nodesPrefix().length()));
                }
            }
        }
        replace(new RegistryView(revision, tunnels, unreadable, nodes));
    }

    private void ended(long gen, Throwable error) {
        if (closed || gen != generation) {
            return;
        }
        watching = false;
        if (error instanceof CompactedException compacted) {
            log.warn("registry watch on {}: revision compacted (to {}); listing again", where,
                    compacted.getCompactedRevision());
        } else {
            markStale("the registry watch ended: " + (error == null ? "closed by etcd"
                    : EtcdCalls.failure(error, where, "watching").getMessage()));
        }
        list();
    }

    private void probe() {
        if (closed) {
            return;
        }
        client.getKVClient().get(keys.all(), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .orTimeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((response, error) -> {
                    if (closed) {
                        return;
                    }
                    if (error != null) {
                        probeFailing = true;
                        markStale(EtcdCalls.failure(error, where, "registry probe").getMessage());
                    } else {
                        probeFailing = false;
                        if (watching) {
                            markFresh();
                        } else if (!listing) {
                            list();
                        }
                    }
                }, executor);
    }

    private void put(KeyValue kv, Map<String, Tunnel> tunnels, Map<String, TunnelStore.Unreadable> unreadable,
            Map<String, RelayNode> nodes) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        if (key.startsWith(keys.tunnelsPrefix())) {
            String name = key.substring(keys.tunnelsPrefix().length());
            List<Tunnel> one = new ArrayList<>(1);
            List<TunnelStore.Unreadable> bad = new ArrayList<>(1);
            EtcdTunnelStore.decode(keys, kv, one, bad);
            tunnels.remove(name);
            unreadable.remove(name);
            one.forEach(t -> tunnels.put(name, t));
            bad.forEach(u -> unreadable.put(name, u));
        } else if (key.startsWith(keys.nodesPrefix())) {
            String id = key.substring(keys.nodesPrefix().length());
            try {
                nodes.put(id, NodeRecord.parse(kv.getValue().getBytes(), id));
            } catch (RuntimeException e) {
                nodes.remove(id);
                log.error("registry key {} is not a relay node ({}); ignoring it", key, e.getMessage());
            }
        }
    }

    private void replace(RegistryView next) {
        view = next;
        try {
            changed.accept(next);
        } catch (RuntimeException e) {
            log.error("a registry listener failed: {}", e.toString());
        }
    }

    private void markStale(String reason) {
        if (staleSince == null) {
            staleSince = clock.instant();
            log.warn("registry snapshot may be stale from now on: {}; serving the {} tunnels known at revision {}; "
                    + "new registrations are refused until etcd answers", reason, view.tunnels().size(), view.revision());
        }
    }

    private void markFresh() {
        if (staleSince != null) {
            Instant since = staleSince;
            staleSince = null;
            boolean first = !everInStep;
            everInStep = true;
            if (!first) {
                log.info("registry in step with {} again at revision {} (stale for {} ms)", where, view.revision(),
                        Duration.between(since, clock.instant()).toMillis());
            }
        }
    }

    private void stopWatching() {
        watching = false;
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (probe != null) {
            probe.cancel(false);
        }
        try {
            executor.submit(this::stopWatching).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the executor is gone or stuck: the client's close ends the watch anyway
        }
    }
}
