package dev.ferry.relay.link;

import com.google.protobuf.ByteString;
import java.net.InetSocketAddress;
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
        if (f != null) {
            f.complete(InetSocketAddress.createUnresolved(host, port));
        }
    }

    public void failed(ByteString id, String reason) {
        CompletableFuture<InetSocketAddress> f = pending.get(id);
        if (f != null) {
            f.completeExceptionally(new IllegalStateException(reason));
        }
    }
}
