package dev.ferry.doctor;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.Certificate;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * A commons-net client (plain or explicit FTPS) with the one protected step the doctor needs in the
 * open: opening a data connection for a command in the current mode, so that what failed (the mode
 * reply, the connect, the transfer) can be told apart.
 */
interface DoctorClient {
    FTPClient ftp();

    /** commons-net's {@code _openDataConnection_}: null when a reply was not the one expected. */
    Socket openData(String command) throws IOException;

    /** The control connection's TLS certificate chain, when TLS is on. */
    Optional<Certificate[]> peerCertificates();

    final class Plain extends FTPClient implements DoctorClient {
        @Override
        public FTPClient ftp() {
            return this;
        }

        @Override
        public Socket openData(String command) throws IOException {
            return _openDataConnection_(command, null);
        }

        @Override
        public Optional<Certificate[]> peerCertificates() {
            return Optional.empty();
        }
    }

    /**
     * Explicit FTPS: AUTH TLS right after the greeting (commons-net does it inside {@code connect}),
     * naming the tunnel in the TLS server name (SNI) as a client that typed the tunnel's name does,
     * though the doctor connects to the relay's address.
     */
    final class Tls extends FTPSClient implements DoctorClient {
        private final String serverName;

        Tls(String serverName) {
            super("TLS", false);
            this.serverName = serverName;
        }

        @Override
        protected void _connectAction_() throws IOException {
            _hostname_ = serverName; // commons-net hands this name to the TLS socket (SNI)
            super._connectAction_();
        }

        @Override
        public FTPClient ftp() {
            return this;
        }

        @Override
        public Socket openData(String command) throws IOException {
            return _openDataConnection_(command, null);
        }

        @Override
        public Optional<Certificate[]> peerCertificates() {
            try {
                return _socket_ instanceof SSLSocket s ? Optional.of(s.getSession().getPeerCertificates()) : Optional.empty();
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                return Optional.empty();
            }
        }
    }
}
