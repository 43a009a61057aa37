package dev.ferry.relay.registry;

/** What a relay node says about itself in the node directory. */
public enum NodeState {
    /** Accepting new FTP sessions and agent links. */
    SERVING,
    /** Finishing its sessions before it stops: agents should not open new work here. */
    DRAINING
}
