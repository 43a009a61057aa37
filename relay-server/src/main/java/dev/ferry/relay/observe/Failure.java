package dev.ferry.relay.observe;

import java.time.Instant;

/** Something that went wrong, for the status page: when, where, what and why. */
public record Failure(Instant time, String tunnel, String client, String what, String cause) {
}
