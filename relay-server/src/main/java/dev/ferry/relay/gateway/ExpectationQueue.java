package dev.ferry.relay.gateway;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * The replies the client is owed, in command order. Each is either the server's reply to a
 * command the gateway forwarded, or a reply the gateway makes itself (a local reply), which is due
 * as soon as every reply before it has gone out. The first entry is the server's greeting.
 * Between calls the head is never a local reply: those are handed out as soon as they are due.
 */
final class ExpectationQueue {
    private sealed interface Expected permits Forwarded, Local {
    }

    /** @param command what the client sent (redacted), or null (the greeting, a test) */
    private record Forwarded(CommandKind kind, FtpCommand command) implements Expected {
    }

    /**
     * @param after runs right after the reply was handed out (null: nothing)
     * @param command the command it answers (redacted), or null
     */
    private record Local(String reply, Runnable after, FtpCommand command) implements Expected {
    }

    /** Told of each local reply as it is handed out. */
    interface LocalReplies {
        void answered(FtpCommand command, String reply);
    }

    private final Deque<Expected> queue = new ArrayDeque<>();
    private final LocalReplies localReplies;

    ExpectationQueue() {
        this((command, reply) -> { });
    }

    ExpectationQueue(LocalReplies localReplies) {
        this.localReplies = localReplies;
        queue.add(new Forwarded(CommandKind.OTHER, null)); // the greeting (220, or 120 then 220)
    }

    /** A command went to the server: its reply is owed. */
    void forwarded(CommandKind kind) {
        queue.add(new Forwarded(kind, null));
    }

    /** {@code command} went to the server (as sent or replaced): its reply is owed. */
    void forwarded(FtpCommand command) {
        queue.add(new Forwarded(command.kind(), command.forLog()));
    }

    /** The command (redacted) the server's next final reply answers; null for the greeting or when nothing is owed. */
    FtpCommand headCommand() {
        return queue.peek() instanceof Forwarded f ? f.command() : null;
    }

    /** The gateway answers a command itself; {@code due} gets the reply now if nothing is owed before it. */
    void local(String reply, Consumer<String> due) {
        local(reply, null, due);
    }

    /** As {@link #local(String, Consumer)}; {@code after} runs right after {@code due} got the reply. */
    void local(String reply, Runnable after, Consumer<String> due) {
        local(null, reply, after, due);
    }

    /** As {@link #local(String, Runnable, Consumer)}, answering {@code command}. */
    void local(FtpCommand command, String reply, Runnable after, Consumer<String> due) {
        queue.add(new Local(reply, after, command == null ? null : command.forLog()));
        drainDue(due);
    }

    /** The command the server's next final reply answers; OTHER when nothing is owed (an unsolicited reply). */
    CommandKind head() {
        return queue.peek() instanceof Forwarded f ? f.kind() : CommandKind.OTHER;
    }

    /**
     * The server's final (2xx-5xx) reply has gone out: removes the command it answered, hands the
     * local replies now due to {@code due}, and returns the command's kind.
     */
    CommandKind replied(Consumer<String> due) {
        CommandKind kind = head();
        queue.poll();
        drainDue(due);
        return kind;
    }

    /** Forgets everything owed (the conversation is no longer read). */
    void clear() {
        queue.clear();
    }

    int size() {
        return queue.size();
    }

    private void drainDue(Consumer<String> due) {
        while (queue.peek() instanceof Local local) {
            queue.poll();
            due.accept(local.reply());
            localReplies.answered(local.command(), local.reply());
            if (local.after() != null) {
                local.after().run();
            }
        }
    }
}
