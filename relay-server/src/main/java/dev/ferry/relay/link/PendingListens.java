package dev.ferry.relay.link;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Active-mode listens the relay asked an agent for, waiting for ListenStarted or ListenFailed. */
public final class PendingListens {
    private final Map<ByteString, CompletableFuture<InetSocketAddress>> pending = new ConcurrentHashMap<>();

    public CompletableFuture<InetSocketAddress> register(ByteString id) {
        CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
        pending.put(id, f);
        f.whenComplete((a, e) -> pending.remove(id));
        return f;
    }

    public void started(ByteString id, String host, int port) {
        CompletableFuture<InetSocketAddress> f = pending.get(id);
        if (f == null) {
            return;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+") || port < 1 || port > 65535) {
            f.completeExceptionally(new IllegalArgumentException("agent listens at an invalid address " + host + ":" + port));
            return;
        }
        try {
            f.complete(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            f.completeExceptionally(e);
        }
    }

    public void failed(ByteString id, String reason) {
        CompletableFuture<InetSocketAddress> f = pending.get(id);
        if (f != null) {
            f.completeExceptionally(new IllegalStateException(reason));
        }
    }
}
