package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/** commons-net clients of one relay node of a {@link RelayCluster}, logged in to the embedded upstream. */
final class NodeClients {
    static final String FILE = "big.bin";

    private NodeClients() {
    }

    /** Logged in through node {@code node}, binary, passive, with 30 s timeouts; the caller disconnects it. */
    static FTPClient login(RelayCluster cluster, int node) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(30_000);
        ftp.setDataTimeout(Duration.ofSeconds(30));
        ftp.connect(RelayCluster.host(node), cluster.ftpPort);
        assertThat(ftp.getReplyCode()).as(ftp.getReplyString()).isEqualTo(220);
        assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftp.getReplyString()).isTrue();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
        return ftp;
    }

    /** Downloads {@value #FILE} through node {@code node}, checking its 227 names that node; the SHA-256. */
    static String download(RelayCluster cluster, int node) throws IOException {
        FTPClient ftp = login(cluster, node);
        try (InputStream in = ftp.retrieveFileStream(FILE)) {
            assertThat(in).as(ftp.getReplyString()).isNotNull();
            assertThat(ftp.getPassiveHost()).as("the 227 reply of node " + node + " names node " + node)
                    .isEqualTo(RelayCluster.host(node));
            String sum = Checksums.sha256(in);
            in.close();
            assertThat(ftp.completePendingCommand()).as(ftp.getReplyString()).isTrue();
            assertThat(ftp.getReplyCode()).isEqualTo(226);
            return sum;
        } finally {
            ftp.disconnect();
        }
    }

    static String uncheckedDownload(RelayCluster cluster, int node) {
        try {
            return download(cluster, node);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What node {@code node}'s client got of a download during which {@code midway} ran (a kill, say). */
    record Interrupted(long received, boolean completed, IOException failure) {
    }

    /** Starts a download through {@code node}, runs {@code midway} after the first MiB, reads on to the end. */
    static Interrupted downloadAcross(RelayCluster cluster, int node, ThrowingRunnable midway) throws Exception {
        FTPClient ftp = login(cluster, node);
        InputStream in = ftp.retrieveFileStream(FILE);
        assertThat(in).as(ftp.getReplyString()).isNotNull();
        byte[] first = in.readNBytes(1 << 20);
        assertThat(first).hasSize(1 << 20);
        midway.run();
        long received = first.length;
        IOException failure = null;
        try {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
        } catch (IOException e) {
            failure = e;
        }
        boolean completed;
        try {
            completed = ftp.completePendingCommand();
        } catch (IOException e) {
            completed = false;
        }
        try {
            ftp.disconnect();
        } catch (IOException e) {
            // the node is gone
        }
        return new Interrupted(received, completed, failure);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
