package dev.ferry.relay.cli;

import picocli.CommandLine;

/** The version picocli prints for {@code --version}. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"ferry-relay " + (v == null ? "dev" : v)};
    }
}
