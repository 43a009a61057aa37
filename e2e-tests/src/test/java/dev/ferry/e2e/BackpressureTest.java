package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.PlatformDependent;
import java.io.InputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that stops reading mid-download must not make the relay (or agent) buffer the file:
 * reads stop on both sides, and memory stays near the flow-control windows, whatever the file size.
 */
class BackpressureTest {
    private static final long FILE = 256L << 20;

    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Checksums.randomFile(home.resolve("big.bin"), FILE, 3);
    });

    @Test
    void aStalledClientDoesNotHoldUpAnotherSessionOnTheSameTunnel() throws Exception {
        FTPClient stalled = login();
        FTPClient other = login();
        try (InputStream in = stalled.retrieveFileStream("big.bin")) {
            in.readNBytes(1 << 20); // then stops reading, with 255 MiB still to come
            Thread.sleep(1000);
            long started = System.nanoTime();
            try (InputStream second = other.retrieveFileStream("big.bin")) {
                assertThat(second.transferTo(java.io.OutputStream.nullOutputStream())).isEqualTo(FILE);
            }
            assertThat(other.completePendingCommand()).isTrue();
            System.out.println("second transfer while the first is stalled: "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        } finally {
            stalled.abort();
            stalled.disconnect();
            other.disconnect();
        }
    }

    private static FTPClient login() throws Exception {
        FTPClient ftp = fixture.tunnel().login();
        ftp.enterLocalPassiveMode();
        return ftp;
    }

    private static long directBytes() {
        long netty = PlatformDependent.usedDirectMemory();
        long jdk = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return Math.max(0, netty) + jdk;
    }

    @Test
    void aStalledClientHoldsTheTransferBackInsteadOfFillingMemory() throws Exception {
        FTPClient ftp = fixture.tunnel().login();
        try {
            ftp.enterLocalPassiveMode();
            ftp.setReceiveBufferSize(64 * 1024);
            long before = directBytes();
            try (InputStream in = ftp.retrieveFileStream("big.bin")) {
                in.readNBytes(1 << 20);
                Thread.sleep(3000); // the client stalls; the server has 255 MiB left to send
                long during = directBytes() - before;
                System.out.println("direct memory grown while stalled: " + (during >> 10) + " KiB (netty counter " + PlatformDependent.usedDirectMemory() + ")");
                assertThat(during).as("direct memory grown while stalled").isLessThan(48L << 20);
                // and nothing is lost: the rest arrives intact once the client reads again
                long rest = in.transferTo(java.io.OutputStream.nullOutputStream());
                assertThat(rest).isEqualTo(FILE - (1 << 20));
            }
            assertThat(ftp.completePendingCommand()).isTrue();
        } finally {
            ftp.disconnect();
        }
    }
}
