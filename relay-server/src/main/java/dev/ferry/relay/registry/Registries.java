package dev.ferry.relay.registry;

import dev.ferry.relay.registry.etcd.EtcdBackend;
import dev.ferry.relay.registry.etcd.EtcdTunnelStore;
import dev.ferry.relay.tunnel.TunnelStore;
import java.nio.file.Path;

/** Opens the registry {@link RegistrySettings} name: the data dir, or etcd. */
public final class Registries {
    private Registries() {
    }

    /** The store for admin commands ({@code tunnel add/list/remove}); the caller closes it. */
    public static RegistryStore store(RegistrySettings settings, Path dataDir) {
        return store(settings, dataDir, EtcdTunnelStore.DEFAULT_TIMEOUT);
    }

    /** As {@link #store(RegistrySettings, Path)}, each etcd call given {@code timeout}. */
    public static RegistryStore store(RegistrySettings settings, Path dataDir, java.time.Duration timeout) {
        return settings.isEtcd() ? EtcdTunnelStore.open(settings, timeout) : new TunnelStore(dataDir);
    }

    /** What a running relay serves from; the caller closes it. */
    public static RegistryBackend backend(RegistrySettings settings, Path dataDir) {
        return settings.isEtcd() ? EtcdBackend.start(settings, dataDir) : new DataDirBackend(new TunnelStore(dataDir));
    }
}
