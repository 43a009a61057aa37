package dev.ferry.doctor;

import org.apache.commons.net.ftp.FTPClient;

/** How a LIST gets its data connection; the name is also the command the doctor expects to see sent. */
enum DataMode {
    PASV, EPSV, PORT;

    void apply(FTPClient ftp) {
        if (this == PORT) {
            ftp.enterLocalActiveMode();
        } else {
            ftp.enterLocalPassiveMode();
            ftp.setUseEPSVwithIPv4(this == EPSV);
        }
    }

    /** The reply that opens the data connection: 227 to PASV, 229 to EPSV, 200 to PORT. */
    int expectedReply() {
        return switch (this) {
            case PASV -> 227;
            case EPSV -> 229;
            case PORT -> 200;
        };
    }

    boolean passive() {
        return this != PORT;
    }
}
