package dev.ferry.agent.drain;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's open FTP sessions: its connections to the FTP server's control port, each listed
 * until it closes. Once the agent drains, new sessions are refused and the drain waits for these.
 */
public final class OpenSessions {
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile CompletableFuture<Void> none;

    /** Lists a control connection until it closes; false (nothing listed) once the agent drains. */
    public synchronized boolean opened(Channel control) {
        if (draining) {
            return false;
        }
        open.add(control);
        control.closeFuture().addListener(f -> {
            open.remove(control);
            checkNone();
        });
        return true;
    }

    /** From now on no new session may start; completes when none is open. */
    public synchronized CompletableFuture<Void> drain() {
        draining = true;
        if (none == null) {
            none = new CompletableFuture<>();
        }
        checkNone();
        return none;
    }

    public boolean draining() {
        return draining;
    }

    public int count() {
        return open.size();
    }

    private void checkNone() {
        CompletableFuture<Void> waiting = none;
        if (waiting != null && open.isEmpty()) {
            waiting.complete(null);
        }
    }
}
