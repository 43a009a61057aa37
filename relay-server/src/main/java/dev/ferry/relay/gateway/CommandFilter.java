package dev.ferry.relay.gateway;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Decides what happens to each complete client command before it reaches the FTP server. Called
 * on the channel's event loop, in command order. Whatever the decision, replies reach the client
 * in command order: a local answer waits until every earlier command's reply has gone out.
 *
 * <p>The gateway puts its own refusals behind any filter (see {@link RefusedCommands}): a command
 * the filter forwards unchanged may still be answered locally (LPSV, LPRT, CCC, and PORT/EPRT,
 * which reach the server only as a filter's {@link Replace}).
 */
@FunctionalInterface
public interface CommandFilter {
    Decision decide(FtpCommand command);

    /** This filter, then {@code next} for the commands this one forwards unchanged. */
    default CommandFilter orElse(CommandFilter next) {
        Objects.requireNonNull(next, "next");
        return command -> {
            Decision decision = decide(command);
            return decision instanceof Forward ? next.decide(command) : decision;
        };
    }

    static Decision forward() {
        return Forward.INSTANCE;
    }

    /** Send {@code line} (a whole command line with its line end) to the server instead. */
    static Decision replace(String line) {
        return new Replace(line);
    }

    /** Answer the client with {@code reply} (whole reply lines with line ends); the server never sees the command. */
    static Decision answer(String reply) {
        return new Answer(reply);
    }

    /**
     * Answer {@code reply} (a 234) and, once it has gone out in the clear, put {@code tls} in front
     * of the gateway: everything the client sends after this command (even in the same read) goes
     * into TLS, and the gateway keeps reading the conversation inside it.
     */
    static Decision startTls(String reply, TlsStart tls) {
        return new StartTls(reply, tls);
    }

    /** Makes the server-side TLS handler for a control connection (called on its event loop). */
    @FunctionalInterface
    interface TlsStart {
        io.netty.channel.ChannelHandler handler(io.netty.channel.Channel channel);
    }

    /**
     * Decide later: the gateway holds everything the client sends after this command until
     * {@code decision} completes (on any thread), then applies it on the event loop. A decision
     * that fails, or is itself {@link Later}, is answered with a 451.
     */
    static Decision later(CompletionStage<Decision> decision) {
        return new Later(decision);
    }

    sealed interface Decision permits Forward, Replace, Answer, Later, StartTls {
    }

    final class Forward implements Decision {
        private static final Forward INSTANCE = new Forward();

        private Forward() {
        }

        @Override
        public String toString() {
            return "Forward";
        }
    }

    record Replace(String line) implements Decision {
        public Replace {
            if (line == null || !line.endsWith("\n") || line.indexOf('\n') != line.length() - 1) {
                throw new IllegalArgumentException("line must be one command line ending in LF, got " + line);
            }
        }
    }

    record Answer(String reply) implements Decision {
        public Answer {
            if (reply == null || !reply.matches("(?s)\\d{3}[ -].*\r\n")) {
                throw new IllegalArgumentException("reply must start with a reply code and end in CR LF, got " + reply);
            }
        }
    }

    record StartTls(String reply, TlsStart tls) implements Decision {
        public StartTls {
            new Answer(reply); // same rules as an answer
            Objects.requireNonNull(tls, "tls");
        }
    }

    record Later(CompletionStage<Decision> decision) implements Decision {
        public Later {
            Objects.requireNonNull(decision, "decision");
        }
    }
}
