package dev.ferry.relay.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunnelStoreTest {
    @TempDir
    Path dir;

    @Test
    void addsListsAndRemovesAndTheRegistryFollows() {
        TunnelStore store = new TunnelStore(dir);
        TunnelRegistry registry = new TunnelRegistry(store);
        List<String> events = new ArrayList<>();
        registry.addListener(new TunnelRegistry.Listener() {
            @Override
            public void added(Tunnel tunnel) {
                events.add("+" + tunnel.name());
            }

            @Override
            public void removed(Tunnel tunnel) {
                events.add("-" + tunnel.name());
            }
        });
        String token = AgentToken.generate(new SecureRandom());
        store.add(new Tunnel("a.example.net", 2121, AgentToken.sha256Hex(token)));
        registry.reload();
        assertThat(registry.authenticate(token)).map(Tunnel::name).contains("a.example.net");
        assertThat(registry.authenticate(token + "x")).isEmpty();
        assertThat(registry.authenticate("")).isEmpty();

        assertThat(store.remove("a.example.net")).isTrue();
        registry.reload();
        assertThat(registry.authenticate(token)).isEmpty();
        assertThat(events).containsExactly("+a.example.net", "-a.example.net");
    }

    @Test
    void refusesDuplicateNamesAndPorts() {
        TunnelStore store = new TunnelStore(dir);
        store.add(new Tunnel("a.example.net", 2121, AgentToken.sha256Hex("t1")));
        assertThatThrownBy(() -> store.add(new Tunnel("a.example.net", 2122, AgentToken.sha256Hex("t2"))))
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> store.add(new Tunnel("b.example.net", 2121, AgentToken.sha256Hex("t2"))))
                .hasMessageContaining("2121").hasMessageContaining("a.example.net");
    }

    @Test
    void ignoresAnUnreadableFileInsteadOfFailingTheRelay() throws Exception {
        TunnelStore store = new TunnelStore(dir);
        store.add(new Tunnel("a.example.net", 2121, AgentToken.sha256Hex("t1")));
        Files.writeString(dir.resolve("tunnels/broken.tunnel"), "name=Bad Name\nftpPort=x\n");
        assertThat(store.list()).extracting(Tunnel::name).containsExactly("a.example.net");
    }

    @Test
    void namesAreLowerCaseDomains() {
        assertThatThrownBy(() -> Tunnel.validateName("Alice.Example.net")).hasMessageContaining("lower-case domain");
        assertThatThrownBy(() -> Tunnel.validateName("../etc/passwd")).hasMessageContaining("lower-case domain");
        Tunnel.validateName("alice.ftp.example.net");
    }
}
