package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.registry.RegistrySettings;
import dev.ferry.relay.registry.RegistryStore;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelConflictException;
import dev.ferry.relay.tunnel.TunnelStore;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Tunnels in etcd ({@link EtcdKeys}). An add is one transaction that creates the tunnel's key and, for a
 * dedicated FTP port, the port's claim, only if neither exists ({@code create_revision == 0} on both):
 * two adds at once on any nodes never give one name or one port two owners. A remove deletes both in one
 * transaction, only if the tunnel is still the one read. Reads are linearizable. Every call has a deadline
 * ({@link #DEFAULT_TIMEOUT}); a call etcd does not answer is refused with {@link
 * dev.ferry.relay.registry.RegistryUnavailableException}.
 */
public final class EtcdTunnelStore implements RegistryStore {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private final Client client;
    private final boolean ownsClient;
    private final EtcdKeys keys;
    private final String where;
    private final Duration timeout;

    public EtcdTunnelStore(Client client, boolean ownsClient, EtcdKeys keys, String where, Duration timeout) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.keys = keys;
        this.where = where;
        this.timeout = timeout;
    }

    /** A store with a client of its own, closed with it. */
    public static EtcdTunnelStore open(RegistrySettings settings, Duration timeout) {
        return new EtcdTunnelStore(EtcdClients.build(settings), true, new EtcdKeys(settings.prefix()),
                settings.describe(), timeout);
    }

    @Override
    public TunnelStore.Snapshot read() {
        GetResponse all = EtcdCalls.await(client.getKVClient().get(EtcdKeys.bytes(keys.tunnelsPrefix()),
                GetOption.builder().isPrefix(true).build()), timeout, where, "cannot list tunnels");
        List<Tunnel> tunnels = new ArrayList<>();
        List<TunnelStore.Unreadable> unreadable = new ArrayList<>();
        for (KeyValue kv : all.getKvs()) {
            decode(keys, kv, tunnels, unreadable);
        }
        tunnels.sort(Comparator.comparing(Tunnel::name));
        return new TunnelStore.Snapshot(tunnels, unreadable);
    }

    /** Decodes one {@code tunnels/NAME} key into {@code tunnels}, or into {@code unreadable} with the reason. */
    static void decode(EtcdKeys keys, KeyValue kv, List<Tunnel> tunnels, List<TunnelStore.Unreadable> unreadable) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        String name = key.substring(keys.tunnelsPrefix().length());
        byte[] value = kv.getValue().getBytes();
        try {
            tunnels.add(TunnelStore.parse(value, name));
        } catch (java.io.IOException | RuntimeException e) {
            unreadable.add(new TunnelStore.Unreadable(Path.of(key), name, String.valueOf(e.getMessage()),
                    "etcd:" + kv.getModRevision() + ":" + HexFormat.of().formatHex(value, 0, Math.min(8, value.length))));
        }
    }

    @Override
    public void add(Tunnel tunnel, Runnable admitted) {
        String refused = "tunnel " + tunnel.name() + " was not added";
        ByteSequence tunnelKey = keys.tunnel(tunnel.name());
        ByteSequence portKey = tunnel.hasDedicatedPort() ? keys.port(tunnel.ftpPort()) : null;
        // A first look, so that what admitted does (install a certificate) is skipped for a name already taken.
        conflicts(tunnel, EtcdCalls.await(client.getKVClient().get(tunnelKey), timeout, where, refused),
                portKey == null ? null : EtcdCalls.await(client.getKVClient().get(portKey), timeout, where, refused));
        admitted.run();
        ByteSequence value = ByteSequence.from(TunnelStore.format(tunnel), StandardCharsets.ISO_8859_1);
        TxnResponse txn;
        if (portKey == null) {
            txn = EtcdCalls.await(client.getKVClient().txn()
                    .If(new Cmp(tunnelKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(tunnelKey, value, PutOption.DEFAULT))
                    .Else(Op.get(tunnelKey, GetOption.DEFAULT))
                    .commit(), timeout, where, refused);
        } else {
            txn = EtcdCalls.await(client.getKVClient().txn()
                    .If(new Cmp(tunnelKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                            new Cmp(portKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(tunnelKey, value, PutOption.DEFAULT),
                            Op.put(portKey, EtcdKeys.bytes(tunnel.name()), PutOption.DEFAULT))
                    .Else(Op.get(tunnelKey, GetOption.DEFAULT), Op.get(portKey, GetOption.DEFAULT))
                    .commit(), timeout, where, refused);
        }
        if (!txn.isSucceeded()) {
            List<GetResponse> gets = txn.getGetResponses();
            conflicts(tunnel, gets.get(0), gets.size() > 1 ? gets.get(1) : null);
            throw new TunnelConflictException("tunnel " + tunnel.name() + " or FTP port " + tunnel.ftpPort()
                    + " was taken at the same moment; try again");
        }
    }

    private static void conflicts(Tunnel tunnel, GetResponse byName, GetResponse byPort) {
        if (byName.getCount() > 0) {
            throw new TunnelConflictException("tunnel " + tunnel.name() + " already exists");
        }
        if (byPort != null && byPort.getCount() > 0) {
            throw new TunnelConflictException("FTP port " + tunnel.ftpPort() + " is already used by tunnel "
                    + byPort.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public boolean remove(String name) {
        Tunnel.validateName(name);
        String refused = "tunnel " + name + " was not removed";
        ByteSequence tunnelKey = keys.tunnel(name);
        for (int attempt = 0; attempt < 5; attempt++) {
            GetResponse current = EtcdCalls.await(client.getKVClient().get(tunnelKey), timeout, where, refused);
            if (current.getCount() == 0) {
                return false;
            }
            // Its port claims: every ports/ key naming it (read, not parsed, so an unreadable tunnel goes too).
            GetResponse ports = EtcdCalls.await(client.getKVClient().get(EtcdKeys.bytes(keys.portsPrefix()),
                    GetOption.builder().isPrefix(true).build()), timeout, where, refused);
            List<Cmp> same = new ArrayList<>();
            List<Op> delete = new ArrayList<>();
            same.add(new Cmp(tunnelKey, Cmp.Op.EQUAL, CmpTarget.modRevision(current.getKvs().get(0).getModRevision())));
            delete.add(Op.delete(tunnelKey, DeleteOption.DEFAULT));
            for (KeyValue claim : ports.getKvs()) {
                if (claim.getValue().toString(StandardCharsets.UTF_8).equals(name)) {
                    same.add(new Cmp(claim.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(claim.getModRevision())));
                    delete.add(Op.delete(claim.getKey(), DeleteOption.DEFAULT));
                }
            }
            TxnResponse txn = EtcdCalls.await(client.getKVClient().txn().If(same.toArray(Cmp[]::new))
                    .Then(delete.toArray(Op[]::new)).commit(), timeout, where, refused);
            if (txn.isSucceeded()) {
                return true;
            }
        }
        throw new IllegalStateException("tunnel " + name + " was not removed: it kept changing while being removed");
    }

    /** The relay nodes listed now (a linearizable read), sorted by id; unreadable entries are skipped. */
    public List<dev.ferry.relay.registry.RelayNode> liveNodes() {
        GetResponse all = EtcdCalls.await(client.getKVClient().get(EtcdKeys.bytes(keys.nodesPrefix()),
                GetOption.builder().isPrefix(true).build()), timeout, where, "cannot list relay nodes");
        List<dev.ferry.relay.registry.RelayNode> nodes = new ArrayList<>();
        for (KeyValue kv : all.getKvs()) {
            String id = kv.getKey().toString(StandardCharsets.UTF_8).substring(keys.nodesPrefix().length());
            try {
                nodes.add(NodeRecord.parse(kv.getValue().getBytes(), id));
            } catch (RuntimeException e) {
                // not a node record: skipped here, reported by the relays' watch
            }
        }
        nodes.sort(Comparator.comparing(dev.ferry.relay.registry.RelayNode::id));
        return nodes;
    }

    @Override
    public String describe() {
        return where;
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }
}
