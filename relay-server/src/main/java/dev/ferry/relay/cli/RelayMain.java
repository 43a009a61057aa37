package dev.ferry.relay.cli;

public final class RelayMain {
    public static void main(String[] args) {
        throw new UnsupportedOperationException("not yet");
    }
}
