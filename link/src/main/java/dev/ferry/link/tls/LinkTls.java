package dev.ferry.link.tls;

/** Names both ends of the link agree on for TLS. */
public final class LinkTls {
    /** The DNS name in every relay certificate Ferry generates, and the authority agents present. */
    public static final String RELAY_CERT_NAME = "ferry-relay";

    private LinkTls() {
    }
}
