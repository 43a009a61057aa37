"""Python's ftplib.FTP_TLS through the relay: AUTH TLS, PROT P, LIST, RETR and STOR; prints what it saw.
Data connections do not forgive a missing close_notify (suppress_ragged_eofs=False): a download whose
TLS ends with a bare FIN fails with SSLEOFError."""
import ftplib
import hashlib
import ssl
import sys

host, port, mode, download, upload, upload_as = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


class Strict(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, suppress_ragged_eofs=False)
        return conn, size


ftp = Strict(context=context, timeout=60)
print("greeting", ftp.connect(host, port))
print("login", ftp.login("alice", "secret"))
print("prot", ftp.prot_p())
ftp.set_pasv(mode != "active")
names = []
ftp.retrlines("NLST", names.append)
print("nlst", " ".join(sorted(names)))
digest = hashlib.sha256()
print("retr", ftp.retrbinary("RETR " + download, digest.update, blocksize=256 * 1024))
print("sha256", digest.hexdigest())
with open(upload, "rb") as f:
    print("stor", ftp.storbinary("STOR " + upload_as, f, blocksize=256 * 1024))
print("quit", ftp.quit())
