package dev.ferry.relay.tunnel;

/** A tunnel cannot be added: its name or port is taken, or a tunnel file that may hold them is unreadable. */
public final class TunnelConflictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TunnelConflictException(String message) {
        super(message);
    }
}
