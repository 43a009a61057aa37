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

    boolean passive() {
        return this != PORT;
    }
}
