package dev.ferry.agent.cli;

public final class AgentMain {
    public static void main(String[] args) {
        throw new UnsupportedOperationException("not yet");
    }
}
