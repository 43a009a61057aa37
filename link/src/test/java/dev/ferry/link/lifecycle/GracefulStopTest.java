package dev.ferry.link.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class GracefulStopTest {
    /** A program whose drain ends when the test says so. */
    static final class Program implements Drainable {
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        final List<String> calls = new ArrayList<>();
        final CountDownLatch stopped = new CountDownLatch(1);
        final CountDownLatch drainCalled = new CountDownLatch(1);
        volatile Duration timeout;
        volatile CountDownLatch hang;

        @Override
        public synchronized CompletionStage<?> drain(String cause, Duration timeout) {
            calls.add("drain " + cause);
            this.timeout = timeout;
            drainCalled.countDown();
            return drained;
        }

        @Override
        public void stop() {
            synchronized (this) {
                calls.add("stop");
            }
            stopped.countDown();
            CountDownLatch h = hang;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }
    }

    /** Signals sent by hand. */
    static final class HandSignals implements Signals {
        Consumer<String> handler;
        boolean closed;

        @Override
        public AutoCloseable onTermination(Consumer<String> handler) {
            this.handler = handler;
            return () -> closed = true;
        }
    }

    private final Program program = new Program();
    private final HandSignals signals = new HandSignals();
    private final CompletableFuture<Integer> halted = new CompletableFuture<>();

    private GracefulStop stop(Duration drain, Duration stopDeadline) {
        return new GracefulStop("prog", LoggerFactory.getLogger(GracefulStopTest.class), program, drain, stopDeadline,
                halted::complete).listenTo(signals);
    }

    private static int exitOf(GracefulStop stop) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return stop.awaitExit();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    @Test
    void theFirstSignalDrainsThenStopsAndTheExitStatusIsZero() throws Exception {
        GracefulStop stop = stop(Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertThat(stop.signalled()).isFalse();
        signals.handler.accept("TERM");
        assertThat(stop.signalled()).isTrue();
        assertThat(program.drainCalled.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(program.calls()).containsExactly("drain SIGTERM");
        assertThat(program.timeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(program.stopped.getCount()).as("no stop while the drain runs").isEqualTo(1);

        program.drained.complete(null);
        assertThat(exitOf(stop)).isZero();
        assertThat(program.calls()).containsExactly("drain SIGTERM", "stop");
        stop.close();
        assertThat(signals.closed).isTrue();
        assertThat(halted).isNotDone();
    }

    @Test
    void aSecondSignalStopsAtOnceWith128PlusItsNumber() throws Exception {
        GracefulStop stop = stop(Duration.ofSeconds(30), Duration.ofSeconds(10));
        signals.handler.accept("TERM");
        assertThat(program.drainCalled.await(30, TimeUnit.SECONDS)).isTrue();
        signals.handler.accept("TERM");
        assertThat(exitOf(stop)).isEqualTo(143);
        assertThat(program.calls()).containsExactly("drain SIGTERM", "stop");
        signals.handler.accept("TERM"); // a third changes nothing
        program.drained.complete(null);
        Thread.sleep(200);
        assertThat(program.calls()).containsExactly("drain SIGTERM", "stop");
    }

    @Test
    void ctrlCTwiceExits130() throws Exception {
        GracefulStop stop = stop(Duration.ofSeconds(30), Duration.ofSeconds(10));
        signals.handler.accept("INT");
        signals.handler.accept("INT");
        assertThat(exitOf(stop)).isEqualTo(130);
    }

    @Test
    void aStopThatHangsPastItsDeadlineHaltsWithTheExitStatus() throws Exception {
        program.hang = new CountDownLatch(1);
        stop(Duration.ofSeconds(30), Duration.ofMillis(200));
        signals.handler.accept("TERM");
        signals.handler.accept("TERM");
        assertThat(halted.get(30, TimeUnit.SECONDS)).isEqualTo(143);
        program.hang.countDown();
    }

    @Test
    void aNegativeDrainTimeoutIsRefusedAndTheFlagIsChecked() {
        assertThatThrownBy(() -> stop(Duration.ofSeconds(-1), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DrainTimeout.ofSeconds(-1)).hasMessage(
                "--drain-timeout must be 0 (close at once) to 86400 seconds, got -1");
        assertThatThrownBy(() -> DrainTimeout.ofSeconds(86_401)).hasMessageContaining("got 86401");
        assertThat(DrainTimeout.ofSeconds(0)).isZero();
    }
}
