package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.RelayNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's key ({@code nodes/ID}) under a lease of its own. Every third of the lease's time to live it
 * renews the lease once (no long-lived keep-alive stream, which jetcd ends for good on a deadline); when
 * the lease is gone (etcd says so, or no renewal succeeded for a whole time to live) it grants a new one
 * and puts the key again. A node that stops (or is cut off) disappears from every directory when its lease
 * expires; closing revokes the lease so it disappears at once. Runs on the backend's one thread.
 */
final class NodeLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);
    private final Client client;
    private final EtcdKeys keys;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Duration ttl;
    private final String where;
    private RelayNode node;
    private long leaseId;
    private boolean keyPut;
    private boolean busy;
    private Instant lastRenewed;
    private ScheduledFuture<?> ticker;

    NodeLease(Client client, EtcdKeys keys, ScheduledExecutorService executor, Clock clock, Duration ttl, String where) {
        if (ttl.toSeconds() < 2) {
            throw new IllegalArgumentException("node lease TTL must be at least 2 s, got " + ttl);
        }
        this.client = client;
        this.keys = keys;
        this.executor = executor;
        this.clock = clock;
        this.ttl = ttl;
        this.where = where;
    }

    void announce(RelayNode self) {
        executor.execute(() -> {
            node = self;
            keyPut = false;
            tick();
            if (ticker == null) {
                long every = Math.max(500, ttl.toMillis() / 3);
                ticker = executor.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
            }
        });
    }

    void changeState(NodeState state) {
        executor.execute(() -> {
            if (node != null) {
                node = node.withState(state);
                keyPut = false;
                tick();
            }
        });
    }

    /** One step: grant a lease if there is none, put the key if it is not in place, else renew. */
    private void tick() {
        if (busy || node == null) {
            return;
        }
        busy = true;
        CompletableFuture<?> step;
        if (leaseId == 0) {
            step = client.getLeaseClient().grant(ttl.toSeconds()).thenComposeAsync(granted -> {
                leaseId = granted.getID();
                lastRenewed = clock.instant();
                return put();
            }, executor);
        } else if (!keyPut) {
            step = put();
        } else {
            step = client.getLeaseClient().keepAliveOnce(leaseId).thenAccept(this::renewed);
        }
        step.orTimeout(Math.max(1000, ttl.toMillis() / 3), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((ok, error) -> {
                    busy = false;
                    if (error != null) {
                        failed(error);
                    }
                }, executor);
    }

    private CompletableFuture<?> put() {
        RelayNode now = node;
        ByteSequence value = ByteSequence.from(NodeRecord.format(now));
        return client.getKVClient().put(keys.node(now.id()), value, PutOption.builder().withLeaseId(leaseId).build())
                .thenRun(() -> executor.execute(() -> {
                    if (now.equals(node)) {
                        keyPut = true;
                    }
                    log.info("node {} listed in {} as {} (agents: {}), lease {} for {} s", now.id(), where, now.state(),
                            now.agentEndpoint(), Long.toHexString(leaseId), ttl.toSeconds());
                }));
    }

    private void renewed(LeaseKeepAliveResponse response) {
        executor.execute(() -> {
            if (response.getTTL() <= 0) {
                gone("etcd says it expired");
            } else {
                lastRenewed = clock.instant();
            }
        });
    }

    private void failed(Throwable error) {
        String message = String.valueOf(error.getMessage());
        if (message.contains("not found") || message.contains("NotFound")) {
            gone("etcd says it is not found");
        } else if (leaseId != 0 && lastRenewed != null
                && Duration.between(lastRenewed, clock.instant()).compareTo(ttl) > 0) {
            gone("not renewed for " + ttl.toSeconds() + " s (" + message + ")");
        }
    }

    private void gone(String why) {
        if (node == null) {
            return; // closed
        }
        log.warn("node lease {} is gone ({}); granting a new one and listing node {} again", Long.toHexString(leaseId),
                why, node.id());
        leaseId = 0;
        keyPut = false;
        executor.execute(this::tick);
    }

    @Override
    public void close() {
        CompletableFuture<Long> lease = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (ticker != null) {
                    ticker.cancel(false);
                }
                node = null;
                lease.complete(leaseId);
            });
            long id = lease.get(2, TimeUnit.SECONDS);
            if (id != 0) {
                client.getLeaseClient().revoke(id).get(2, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.warn("could not revoke node lease on {} ({}); the node key expires with it", where, e.toString());
        }
    }
}
