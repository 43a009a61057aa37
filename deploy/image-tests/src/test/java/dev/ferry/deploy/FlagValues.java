package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Reads flag values out of an argument list, as the manifests and the compose file pass them. */
final class FlagValues {
    private final List<String> args;
    private final String origin;

    FlagValues(List<String> args, String origin) {
        this.args = args;
        this.origin = origin;
    }

    /** The value after {@code flag}; fails the test if the flag is absent. */
    String value(String flag) {
        int i = args.indexOf(flag);
        assertThat(i).as(origin + " passes " + flag + " (" + args + ")").isGreaterThanOrEqualTo(0);
        assertThat(i + 1).as(origin + ": " + flag + " has a value").isLessThan(args.size());
        return args.get(i + 1);
    }

    String valueOr(String flag, String defaultValue) {
        return args.contains(flag) ? value(flag) : defaultValue;
    }

    /** The port of a {@code HOST:PORT} flag value. */
    int port(String flag) {
        String v = value(flag);
        return Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
    }

    /** {@code LOW-HIGH} of a range flag. */
    int[] range(String flag) {
        String[] parts = value(flag).split("-");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
