package dev.ferry.relay.admin;

/**
 * The agent command printed for a new tunnel, as {@code tunnel add} prints it: where agents dial this
 * relay and how they trust it.
 *
 * @param relayAddress HOST:PORT agents dial (the public address and the agent port)
 * @param trust {@code --pin sha256:...} or {@code --insecure}
 */
record AgentCommand(String relayAddress, String trust) {
    String forToken(String token) {
        return "java -jar ferry-agent.jar --relay " + relayAddress + " --token " + token + " " + trust
                + " --upstream 127.0.0.1:21";
    }
}
