package dev.ferry.relay.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class TunnelStoreTest {
    @TempDir
    Path dir;

    /** What the registry tells its listeners, as {@code +name:port} and {@code -name}. */
    private static List<String> eventsOf(TunnelRegistry registry) {
        List<String> events = new ArrayList<>();
        registry.addListener(new TunnelRegistry.Listener() {
            @Override
            public void added(Tunnel tunnel) {
                events.add("+" + tunnel.name() + ":" + tunnel.ftpPort());
            }

            @Override
            public void removed(Tunnel tunnel) {
                events.add("-" + tunnel.name());
            }
        });
        return events;
    }

    @Test
    void theTlsPolicyIsStoredAndFilesWithoutItDemandNothing() throws Exception {
        TunnelStore store = new TunnelStore(dir);
        store.add(new Tunnel("strict.example.net", 2121, "a".repeat(64), new TlsPolicy(true, true)));
        assertThat(store.find("strict.example.net").orElseThrow().tls()).isEqualTo(new TlsPolicy(true, true));
        java.nio.file.Files.writeString(dir.resolve("tunnels/old.example.net.tunnel"),
                "name=old.example.net\nftpPort=2122\ntokenSha256=" + "b".repeat(64) + "\n");
        assertThat(store.find("old.example.net").orElseThrow().tls()).isEqualTo(TlsPolicy.NONE);
        java.nio.file.Files.writeString(dir.resolve("tunnels/odd.example.net.tunnel"),
                "name=odd.example.net\nftpPort=2123\ntokenSha256=" + "c".repeat(64) + "\nrequireTls=yes\n");
        assertThat(store.read().unreadable()).singleElement()
                .satisfies(u -> assertThat(u.reason()).contains("requireTls 'yes' is neither true nor false"));
    }

    @Test
    void addsListsAndRemovesAndTheRegistryFollows() {
        TunnelStore store = new TunnelStore(dir);
        TunnelRegistry registry = new TunnelRegistry(store);
        List<String> events = eventsOf(registry);
        String token = AgentToken.generate(new SecureRandom());
        store.add(new Tunnel("a.example.net", 2121, AgentToken.sha256Hex(token)));
        registry.reload();
        assertThat(registry.authenticate(token)).map(Tunnel::name).contains("a.example.net");
        assertThat(registry.authenticate(token + "x")).isEmpty();
        assertThat(registry.authenticate("")).isEmpty();

        assertThat(store.remove("a.example.net")).isTrue();
        registry.reload();
        assertThat(registry.authenticate(token)).isEmpty();
        assertThat(events).containsExactly("+a.example.net:2121", "-a.example.net");
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
    void anUnreadableFileIsReportedNotDroppedAndBlocksWhatItMayHold() throws Exception {
        TunnelStore store = new TunnelStore(dir);
        store.add(new Tunnel("a.example.net", 2121, AgentToken.sha256Hex("t1")));
        store.add(new Tunnel("b.example.net", 2122, AgentToken.sha256Hex("t2")));
        Files.writeString(dir.resolve("tunnels/b.example.net.tunnel"), "name=b.example.net\nftpPort=x\ntokenSha256="
                + AgentToken.sha256Hex("t2") + "\n");
        Files.writeString(dir.resolve("tunnels/c.example.net.tunnel"), "name=d.example.net\nftpPort=2124\ntokenSha256="
                + AgentToken.sha256Hex("t4") + "\n");

        TunnelStore.Snapshot snapshot = store.read();
        assertThat(snapshot.tunnels()).extracting(Tunnel::name).containsExactly("a.example.net");
        assertThat(snapshot.unreadable()).extracting(TunnelStore.Unreadable::tunnelName)
                .containsExactly("b.example.net", "c.example.net");
        assertThat(snapshot.unreadable().get(0).reason()).contains("ftpPort 'x' is not a port number");
        assertThat(snapshot.unreadable().get(1).reason()).contains("names tunnel 'd.example.net'");

        assertThatThrownBy(() -> store.add(new Tunnel("b.example.net", 2200, AgentToken.sha256Hex("t5"))))
                .isInstanceOf(TunnelConflictException.class)
                .hasMessageContaining("tunnel b.example.net already exists, but its file")
                .hasMessageContaining("is unreadable");
        assertThatThrownBy(() -> store.add(new Tunnel("e.example.net", 2200, AgentToken.sha256Hex("t5"))))
                .isInstanceOf(TunnelConflictException.class)
                .hasMessageContaining("cannot add tunnels while").hasMessageContaining("b.example.net.tunnel")
                .hasMessageContaining("FTP port is unknown");

        assertThat(store.remove("b.example.net")).isTrue();
        assertThat(store.remove("c.example.net")).isTrue();
        store.add(new Tunnel("e.example.net", 2122, AgentToken.sha256Hex("t5")));
        assertThat(store.list()).extracting(Tunnel::ftpPort).containsExactly(2121, 2122);
    }

    @Test
    void theRegistryKeepsServingATunnelWhoseFileTurnsUnreadableAndSaysSoOncePerChange() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(TunnelRegistry.class);
        logger.addAppender(logged);
        try {
            TunnelStore store = new TunnelStore(dir);
            TunnelRegistry registry = new TunnelRegistry(store);
            List<String> events = eventsOf(registry);
            String token = AgentToken.generate(new SecureRandom());
            store.add(new Tunnel("a.example.net", 2121, AgentToken.sha256Hex(token)));
            registry.reload();
            Path file = dir.resolve("tunnels/a.example.net.tunnel");
            String good = Files.readString(file);

            Files.writeString(file, good.replace("ftpPort=2121", "ftpPort=21x21"));
            for (int i = 0; i < 5; i++) {
                registry.reload();
            }
            assertThat(registry.authenticate(token)).map(Tunnel::ftpPort).contains(2121);
            Files.writeString(file, "garbage");
            registry.reload();
            registry.reload();
            assertThat(registry.find("a.example.net")).isPresent();
            assertThat(events).containsExactly("+a.example.net:2121");
            assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(2)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains(file.toString())
                            .contains("still serving tunnel a.example.net as last read (FTP port 2121)"));

            Files.writeString(file, good);
            registry.reload();
            assertThat(events).containsExactly("+a.example.net:2121");
            assertThat(logged.list).last().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains(file + " is readable again"));

            Files.delete(file);
            registry.reload();
            assertThat(events).containsExactly("+a.example.net:2121", "-a.example.net");
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void aFileThatWasNeverReadableServesNothing() throws Exception {
        Files.createDirectories(dir.resolve("tunnels"));
        Files.writeString(dir.resolve("tunnels/a.example.net.tunnel"), "name=a.example.net\n");
        TunnelRegistry registry = new TunnelRegistry(new TunnelStore(dir));
        registry.reload();
        assertThat(registry.size()).isZero();
    }

    @Test
    void concurrentAddsFromManyThreadsAndStoresLetExactlyOneWinPerNameAndPort() throws Exception {
        int adds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(adds);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Tunnel>> results = new ArrayList<>();
        try {
            for (int i = 0; i < adds; i++) {
                // names repeat every 7 adds, ports every 5: both kinds of collision, often at once
                Tunnel t = new Tunnel("t" + (i % 7) + ".example.net", 3000 + (i % 5), AgentToken.sha256Hex("token" + i));
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        new TunnelStore(dir).add(t); // a store per thread, as separate commands would have
                        return t;
                    } catch (TunnelConflictException e) {
                        return null;
                    }
                }));
            }
            go.countDown();
            List<Tunnel> winners = new ArrayList<>();
            for (Future<Tunnel> f : results) {
                Tunnel t = f.get(30, TimeUnit.SECONDS);
                if (t != null) {
                    winners.add(t);
                }
            }
            List<Tunnel> stored = new TunnelStore(dir).list();
            assertThat(stored).containsExactlyInAnyOrderElementsOf(winners);
            assertThat(stored).extracting(Tunnel::name).doesNotHaveDuplicates();
            assertThat(stored).extracting(Tunnel::ftpPort).doesNotHaveDuplicates();
            // every add that lost met a tunnel with its name or its port (whichever won first)
            for (int i = 0; i < adds; i++) {
                String name = "t" + (i % 7) + ".example.net";
                int port = 3000 + (i % 5);
                assertThat(stored).as("add %d (%s, %d)", i, name, port)
                        .anyMatch(t -> t.name().equals(name) || t.ftpPort() == port);
            }
            assertThat(new TunnelStore(dir).read().unreadable()).isEmpty();
            try (var files = Files.list(dir.resolve("tunnels"))) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void namesAreLowerCaseDomains() {
        assertThatThrownBy(() -> Tunnel.validateName("Alice.Example.net")).hasMessageContaining("lower-case domain");
        assertThatThrownBy(() -> Tunnel.validateName("../etc/passwd")).hasMessageContaining("lower-case domain");
        Tunnel.validateName("alice.ftp.example.net");
    }
}
