package dev.ferry.relay.data;

/** An inclusive range of TCP ports, e.g. the passive data ports {@code 40000-40999}. */
public record PortRange(int low, int high) {
    public PortRange {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("port range must be LOW-HIGH within 1-65535 with LOW <= HIGH, got "
                    + low + "-" + high);
        }
    }

    public static PortRange parse(String text) {
        String[] parts = text.trim().split("-", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("port range must look like LOW-HIGH (e.g. 40000-40999), got '" + text + "'");
        }
        try {
            return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port range must look like LOW-HIGH (e.g. 40000-40999), got '" + text + "'");
        }
    }

    public int size() {
        return high - low + 1;
    }

    public boolean contains(int port) {
        return port >= low && port <= high;
    }

    @Override
    public String toString() {
        return low + "-" + high;
    }
}
