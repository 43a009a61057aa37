package dev.ferry.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysGrowToTheCapWithJitterAndResetAfterSuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(1));
        long[] caps = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (long cap : caps) {
            long d = backoff.next().toMillis();
            assertThat(d).isBetween(cap / 2, cap);
        }
        backoff.reset();
        assertThat(backoff.next().toMillis()).isBetween(250L, 500L);
    }

    @Test
    void twoAgentsDoNotRetryInLockstep() {
        Backoff a = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(1));
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(2));
        int same = 0;
        for (int i = 0; i < 10; i++) {
            if (a.next().equals(b.next())) {
                same++;
            }
        }
        assertThat(same).isLessThan(3);
    }
}
