package dev.ferry.relay.ftps;

import javax.net.ssl.SSLSession;

/**
 * Whether a data connection's TLS session resumes the control connection's. The JDK gives a resumed
 * session (TLS 1.2 or 1.3, session ID or ticket) a new ID but keeps the original session's creation
 * time, protocol and cipher suite; a full handshake gets the time it happened. Measured on JDK 17
 * with OpenSSL clients resuming and not (see {@code TlsResumptionTest}).
 */
final class TlsResumption {
    private TlsResumption() {
    }

    static boolean resumes(SSLSession data, SSLSession control) {
        return data != control
                && data.getCreationTime() == control.getCreationTime()
                && data.getProtocol().equals(control.getProtocol())
                && data.getCipherSuite().equals(control.getCipherSuite());
    }

    static String describe(SSLSession session) {
        return session.getProtocol() + " " + session.getCipherSuite() + " created " + session.getCreationTime();
    }
}
