package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.apache.commons.net.PrintCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;

/** commons-net clients logged in anonymously to the relay, with a transcript of the session. */
final class FtpClients {
    private FtpClients() {
    }

    record Session(FTPClient ftp, StringWriter transcript) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (ftp.isConnected()) {
                    ftp.disconnect();
                }
            } catch (IOException e) {
                // already gone
            }
        }
    }

    static Session anonymous(String host, int port) throws IOException {
        FTPClient ftp = new FTPClient();
        StringWriter transcript = new StringWriter();
        ftp.addProtocolCommandListener(new PrintCommandListener(new PrintWriter(transcript, true), true));
        ftp.setConnectTimeout(30_000);
        ftp.setDefaultTimeout(60_000);
        ftp.setDataTimeout(Duration.ofSeconds(60));
        ftp.connect(host, port);
        assertThat(FTPReply.isPositiveCompletion(ftp.getReplyCode())).as(transcript.toString()).isTrue();
        assertThat(ftp.login("anonymous", "test@example.org")).as(transcript.toString()).isTrue();
        assertThat(ftp.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
        ftp.enterLocalPassiveMode();
        return new Session(ftp, transcript);
    }
}
