package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectationQueueTest {
    private final ExpectationQueue queue = new ExpectationQueue();
    private final List<String> out = new ArrayList<>();

    @Test
    void theGreetingComesFirstThenCommandsInOrder() {
        queue.forwarded(CommandKind.PASV);
        queue.forwarded(CommandKind.EPSV);
        assertThat(queue.head()).isEqualTo(CommandKind.OTHER);
        assertThat(queue.replied(out::add)).isEqualTo(CommandKind.OTHER);
        assertThat(queue.replied(out::add)).isEqualTo(CommandKind.PASV);
        assertThat(queue.head()).isEqualTo(CommandKind.EPSV);
        assertThat(queue.replied(out::add)).isEqualTo(CommandKind.EPSV);
        assertThat(queue.head()).isEqualTo(CommandKind.OTHER);
        assertThat(queue.replied(out::add)).isEqualTo(CommandKind.OTHER); // unsolicited: nothing owed
        assertThat(out).isEmpty();
    }

    @Test
    void aLocalReplyIsDueOnceEveryEarlierReplyHasGoneOut() {
        queue.forwarded(CommandKind.OTHER);
        queue.local("502 a\r\n", out::add);
        queue.local("502 b\r\n", out::add);
        queue.forwarded(CommandKind.PASV);
        queue.local("502 c\r\n", out::add);
        assertThat(out).isEmpty();
        queue.replied(out::add); // greeting
        assertThat(out).isEmpty();
        queue.replied(out::add); // the OTHER
        assertThat(out).containsExactly("502 a\r\n", "502 b\r\n");
        assertThat(queue.head()).isEqualTo(CommandKind.PASV);
        queue.replied(out::add);
        assertThat(out).containsExactly("502 a\r\n", "502 b\r\n", "502 c\r\n");
        assertThat(queue.size()).isZero();
        queue.local("502 d\r\n", out::add);
        assertThat(out).endsWith("502 d\r\n");
    }
}
