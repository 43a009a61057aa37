package dev.ferry.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;

/**
 * The commands a commons-net client sent and the replies it got, in order, so a check can tell
 * which step of a transfer failed (commons-net's own methods only say "null"). Holds command verbs
 * and arguments, never the argument of PASS.
 */
final class Transcript implements ProtocolCommandListener {
    /** One command (reply false) or reply (reply true); {@code text} without its line end. */
    record Entry(boolean reply, String verb, int code, String text) {
    }

    private final List<Entry> entries = new ArrayList<>();

    @Override
    public synchronized void protocolCommandSent(ProtocolCommandEvent event) {
        String verb = event.getCommand().toUpperCase(Locale.ROOT);
        String text = verb.equals("PASS") ? "PASS ****" : event.getMessage().strip();
        entries.add(new Entry(false, verb, 0, text));
    }

    @Override
    public synchronized void protocolReplyReceived(ProtocolCommandEvent event) {
        entries.add(new Entry(true, "", event.getReplyCode(), event.getMessage().strip()));
    }

    /** Where the next entry will be: pass it to the queries below to look only at what came after. */
    synchronized int mark() {
        return entries.size();
    }

    /** The code of the first reply (the greeting), or 0 before it. */
    synchronized int firstReplyCode() {
        return entries.stream().filter(Entry::reply).findFirst().map(Entry::code).orElse(0);
    }

    /** Whether {@code verb} was sent since {@code mark}. */
    synchronized boolean sent(String verb, int mark) {
        return command(verb, mark).isPresent();
    }

    /** The first {@code verb} command line sent since {@code mark}. */
    synchronized Optional<String> command(String verb, int mark) {
        for (int i = mark; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (!e.reply() && e.verb().equals(verb)) {
                return Optional.of(e.text());
            }
        }
        return Optional.empty();
    }

    /** The first final (not 1xx) reply to the first {@code verb} sent since {@code mark}. */
    synchronized Optional<Entry> finalReplyTo(String verb, int mark) {
        boolean seen = false;
        for (int i = mark; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (!e.reply()) {
                if (seen) {
                    return Optional.empty();
                }
                seen = e.verb().equals(verb);
            } else if (seen && e.code() >= 200) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
