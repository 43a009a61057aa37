package dev.ferry.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports that are free right now on a loopback address (other test runs share the machine). */
final class FreePorts {
    private FreePorts() {
    }

    static int find(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code size} consecutive ports, all free now, between 20000 and 50000. */
    static int[] range(String host, int size) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int low = 20000 + (int) (Math.random() * 30000);
            boolean free = true;
            for (int p = low; p < low + size && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName(host))) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return new int[] {low, low + size - 1};
            }
        }
        throw new IllegalStateException("no free range of " + size + " ports on " + host);
    }
}
