package dev.ferry.relay.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.link.transport.EventLoops;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataPortPoolTest {
    private final EventLoops loops = EventLoops.create("test", 1);
    private final InetAddress host = InetAddress.getLoopbackAddress();

    @AfterEach
    void stop() {
        loops.close();
    }

    private static PortRange freeRange(int size) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int low = 20000 + new Random().nextInt(30000);
            boolean free = true;
            for (int p = low; p < low + size && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (Exception e) {
                    free = false;
                }
            }
            if (free) {
                return new PortRange(low, low + size - 1);
            }
        }
        throw new IllegalStateException("no free range");
    }

    private Optional<PassiveLease> lease(DataPortPool pool, EventLoop loop) throws Exception {
        return loop.submit(() -> pool.lease(host, loop, "session t", ch -> ch.close())).get(5, TimeUnit.SECONDS);
    }

    @Test
    void leasesDistinctPortsUntilTheRangeIsExhaustedAndReusesReleasedOnes() throws Exception {
        PortRange range = freeRange(4);
        DataPortPool pool = new DataPortPool(range, host, loops.serverChannelType(), Duration.ofSeconds(30), 100, new Random(3));
        EventLoop loop = loops.group().next();
        Set<Integer> ports = new HashSet<>();
        PassiveLease first = null;
        for (int i = 0; i < 4; i++) {
            PassiveLease lease = lease(pool, loop).orElseThrow();
            assertThat(range.contains(lease.port())).isTrue();
            ports.add(lease.port());
            first = first == null ? lease : first;
        }
        assertThat(ports).hasSize(4);
        assertThat(lease(pool, loop)).isEmpty();
        first.release();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.leasedCount() == 3);
        assertThat(lease(pool, loop)).map(PassiveLease::port).contains(first.port());
    }

    @Test
    void theLeasedPortIsListeningWhenLeaseReturnsAndAdmitsOnlyTheClient() throws Exception {
        PortRange range = freeRange(2);
        DataPortPool pool = new DataPortPool(range, host, loops.serverChannelType(), Duration.ofSeconds(30), 100, new Random(3));
        EventLoop loop = loops.group().next();
        CompletableFuture<InetSocketAddress> admitted = new CompletableFuture<>();
        PassiveLease lease = loop.submit(() -> pool.lease(InetAddress.getByName("127.0.0.1"), loop, "session t", ch -> {
            admitted.complete(ch.remoteAddress());
            ch.close();
        })).get().orElseThrow();
        try (Socket stranger = new Socket()) {
            stranger.bind(new InetSocketAddress("127.0.0.2", 0));
            stranger.connect(new InetSocketAddress(host, lease.port()), 2000);
        } catch (java.net.SocketException resetWhileConnecting) {
            // the pool may reset the stranger before connect() returns
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.strayConnections() == 1);
        assertThat(admitted).isNotDone();
        try (Socket client = new Socket()) {
            client.bind(new InetSocketAddress("127.0.0.1", 0));
            client.connect(new InetSocketAddress(host, lease.port()), 2000);
            assertThat(admitted.get(5, TimeUnit.SECONDS).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.leasedCount() == 0);
    }

    @Test
    void anUnusedLeaseExpires() throws Exception {
        PortRange range = freeRange(1);
        DataPortPool pool = new DataPortPool(range, host, loops.serverChannelType(), Duration.ofMillis(200), 100, new Random(3));
        EventLoop loop = loops.group().next();
        assertThat(lease(pool, loop)).isPresent();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.leasedCount() == 0);
        assertThat(lease(pool, loop)).isPresent();
    }

    @Test
    void aSecondConnectionFromTheClientsIpResetsBothAndFreesThePort() throws Exception {
        PortRange range = freeRange(1);
        DataPortPool pool = new DataPortPool(range, host, loops.serverChannelType(), Duration.ofSeconds(30), 100, new Random(3));
        EventLoop loop = loops.group().next();
        CompletableFuture<io.netty.channel.socket.SocketChannel> joined = new CompletableFuture<>();
        PassiveLease lease = loop.submit(() -> pool.lease(host, loop, "session t", joined::complete)).get().orElseThrow();
        try (Socket first = new Socket(host, lease.port()); Socket second = new Socket()) {
            io.netty.channel.socket.SocketChannel data = joined.get(5, TimeUnit.SECONDS);
            assertThat(pool.leasedCount()).as("the port listens while its data connection is open").isEqualTo(1);
            try {
                second.connect(new InetSocketAddress(host, lease.port()), 2000);
            } catch (java.net.SocketException resetWhileConnecting) {
                // the pool may reset it before connect() returns
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.contestedLeases() == 1);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !data.isOpen());
            first.setSoTimeout(5000);
            assertThatThrownBy(() -> first.getInputStream().read()).isInstanceOf(java.net.SocketException.class)
                    .hasMessageContaining("reset");
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.leasedCount() == 0);
        assertThat(pool.strayConnections()).isZero();
        assertThat(lease(pool, loop)).as("the port can be leased again").isPresent();
    }

    @Test
    void aJoinedLeaseReleasedByItsSessionKeepsItsDataConnection() throws Exception {
        PortRange range = freeRange(1);
        DataPortPool pool = new DataPortPool(range, host, loops.serverChannelType(), Duration.ofSeconds(30), 100, new Random(3));
        EventLoop loop = loops.group().next();
        CompletableFuture<io.netty.channel.socket.SocketChannel> joined = new CompletableFuture<>();
        PassiveLease lease = loop.submit(() -> pool.lease(host, loop, "session t", joined::complete)).get().orElseThrow();
        try (Socket client = new Socket(host, lease.port())) {
            io.netty.channel.socket.SocketChannel data = joined.get(5, TimeUnit.SECONDS);
            lease.release(); // the session's next PASV
            Thread.sleep(200);
            assertThat(data.isOpen()).isTrue();
            data.close().sync();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.leasedCount() == 0);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(pool.contestedLeases()).isZero();
    }
}
