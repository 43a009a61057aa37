package dev.ferry.relay.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Mutual exclusion for changes to the tunnel store across processes (an OS lock on a file in the
 * data dir) and across threads of one JVM. The OS lock is held per process: a second
 * {@link FileChannel#lock()} on the same file from the same JVM throws instead of waiting, so
 * threads first take a lock that is shared by every store of the same file in this JVM. That map
 * is static on purpose: it mirrors the process-wide scope of the OS lock itself.
 */
final class StoreLock {
    private static final ConcurrentMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();
    private final Path file;

    StoreLock(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    <T> T holding(Supplier<T> action) {
        ReentrantLock local = IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
        local.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            return action.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        } finally {
            local.unlock();
        }
    }
}
