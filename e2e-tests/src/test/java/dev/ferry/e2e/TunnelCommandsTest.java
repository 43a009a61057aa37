package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.agent.Agent;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.relay.cli.RelayMain;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ferry-relay tunnel ...} as operators run it: at the same time from many processes, and too early. */
class TunnelCommandsTest {
    private static final Pattern TOKEN = Pattern.compile("--token (\\S+) --pin (\\S+)");

    @TempDir
    Path temp;

    record Add(String name, int port, Programs.Result result) {
    }

    private static Programs.Result inThisJvm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RelayMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Programs.Result(exit, out.toString(), err.toString());
    }

    @Test
    void twentyConcurrentAddsFromProcessesAndThreadsGiveEachNameAndPortOneTunnelWhoseTokenWorks() throws Exception {
        Path data = Files.createDirectories(temp.resolve("relay"));
        try (Tunnel running = Tunnel.startRelay(data)) {
            // found once the relay listens, so no port can be the running tunnel's own
            int[] ports = distinctFreePorts(5, running.relay.ftpPort(Tunnel.NAME).orElseThrow());
            int adds = 20;
            ExecutorService pool = Executors.newFixedThreadPool(adds);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Add>> futures = new ArrayList<>();
            try {
                for (int i = 0; i < adds; i++) {
                    // names repeat every 7 adds, ports every 5: both kinds of collision, often in one add
                    String name = "c" + (i % 7) + ".example.net";
                    int port = ports[i % ports.length];
                    String[] args = {"tunnel", "add", name, "--ftp-port", Integer.toString(port), "--data-dir",
                            data.toString()};
                    boolean process = i % 2 == 0; // ten separate processes, ten threads of this JVM
                    futures.add(pool.submit(() -> {
                        go.await();
                        return new Add(name, port, process ? FerryJar.run(FerryJar.RELAY, args) : inThisJvm(args));
                    }));
                }
                go.countDown();
                List<Add> results = new ArrayList<>();
                for (Future<Add> f : futures) {
                    results.add(f.get(120, TimeUnit.SECONDS));
                }
                List<Add> winners = results.stream().filter(a -> a.result().exit() == 0).toList();
                Map<String, Integer> stored = new HashMap<>();
                new TunnelStore(data).list().stream().filter(t -> !t.name().equals(Tunnel.NAME))
                        .forEach(t -> stored.put(t.name(), t.ftpPort()));
                assertThat(winners).extracting(Add::name).doesNotHaveDuplicates();
                assertThat(winners).extracting(Add::port).doesNotHaveDuplicates();
                assertThat(stored).hasSameSizeAs(winners);
                for (Add w : winners) {
                    assertThat(stored).containsEntry(w.name(), w.port());
                }
                for (Add loser : results) {
                    if (loser.result().exit() == 0) {
                        continue;
                    }
                    assertThat(loser.result().exit()).isEqualTo(2);
                    assertThat(loser.result().out()).doesNotContain("ferry_");
                    String error = loser.result().err();
                    assertThat(error.lines().toList()).as(error).hasSize(1);
                    boolean nameTaken = error.equals("ferry-relay: tunnel " + loser.name() + " already exists (see "
                            + "'ferry-relay tunnel add --help')\n") && stored.containsKey(loser.name());
                    boolean portTaken = stored.entrySet().stream().anyMatch(e -> e.getValue() == loser.port()
                            && error.contains("FTP port " + loser.port() + " is already used by tunnel " + e.getKey()));
                    assertThat(nameTaken || portTaken).as("a true reason: %s", error).isTrue();
                }

                running.relay.reloadTunnels();
                for (Add w : winners) {
                    Matcher printed = TOKEN.matcher(w.result().out());
                    assertThat(printed.find()).as(w.result().out()).isTrue();
                    assertThat(printed.group(2)).isEqualTo(running.pin().toString());
                    assertAgentIsWelcomed(running, printed.group(1));
                    assertThat(running.relay.ftpPort(w.name())).contains(w.port());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static int[] distinctFreePorts(int count, int taken) {
        Set<Integer> found = new LinkedHashSet<>();
        while (found.size() < count) {
            int port = FreePorts.find(Tunnel.RELAY_HOST);
            if (port != taken) {
                found.add(port);
            }
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void assertAgentIsWelcomed(Tunnel running, String token) throws Exception {
        Agent agent = new Agent(running.agentConfig(token, running.pin(), new InetSocketAddress("127.0.0.6", 21)),
                new SecureRandom());
        CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
        try {
            assertThat(agent.awaitLive(Duration.ofSeconds(15))).as("welcomed: %s", run.getNow(null)).isTrue();
        } finally {
            agent.close();
            run.get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCommandsSayWhatIsMissingInOneLine() throws Exception {
        Path fresh = Files.createDirectories(temp.resolve("fresh"));
        Programs.Result early = FerryJar.run(FerryJar.RELAY, "tunnel", "add", "early.example.net", "--ftp-port", "2121",
                "--data-dir", fresh.toString());
        assertThat(early.exit()).isEqualTo(2);
        assertThat(early.err().lines().toList()).singleElement().asString()
                .startsWith("ferry-relay: the relay has not started with --data-dir " + fresh)
                .contains("--relay-address HOST:PORT");
        assertThat(fresh.resolve("tunnels")).doesNotExist();

        Programs.Result noDir = FerryJar.run(FerryJar.RELAY, "tunnel", "list", "--data-dir", temp.resolve("nope").toString());
        assertThat(noDir.exit()).isEqualTo(2);
        assertThat(noDir.err().lines().toList()).singleElement().asString().contains("--data-dir " + temp.resolve("nope")
                + ": no such directory");

        Programs.Result placeholder = FerryJar.run(FerryJar.AGENT, "--relay", "RELAY_HOST:7835", "--token", "ferry_x",
                "--insecure", "--upstream", "127.0.0.1:21");
        assertThat(placeholder.exit()).isEqualTo(2);
        assertThat(placeholder.err().lines().toList()).singleElement().asString()
                .contains("ferry-agent: Invalid value for option '--relay': 'RELAY_HOST' is not a host name");
    }
}
