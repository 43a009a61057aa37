package dev.ferry.relay.tunnel;

/**
 * What a tunnel demands of FTPS clients.
 *
 * @param requireTls {@code USER}/{@code PASS} before {@code AUTH TLS} are answered 530
 * @param requireReuse a protected data connection must resume the control connection's TLS session
 */
public record TlsPolicy(boolean requireTls, boolean requireReuse) {
    public static final TlsPolicy NONE = new TlsPolicy(false, false);
}
