"""ftplib.FTP_TLS with PROT P whose data connections resume a TLS session: the control connection's
own ("own"), another control connection's ("other"), or none, as stock ftplib does ("none").
Prints the outcome of one RETR."""
import ftplib
import ssl
import sys

host, port, reuse, name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


class Resuming(ftplib.FTP_TLS):
    session_from = None

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            donor = self.session_from or self
            session = donor.sock.session if reuse != "none" else None
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
            print("resumed", conn.session_reused)
        return conn, size


def login():
    ftp = Resuming(context=context, timeout=30)
    ftp.connect(host, port)
    ftp.login("alice", "secret")
    ftp.prot_p()
    ftp.voidcmd("NOOP")  # reads the TLS 1.3 session ticket
    return ftp


ftp = login()
if reuse == "other":
    ftp.session_from = login()
chunks = []
try:
    print("retr", ftp.retrbinary("RETR " + name, chunks.append))
except (ftplib.Error, OSError) as e:
    print("error", type(e).__name__, e)
    if not isinstance(e, ftplib.Error):
        try:
            print("reply", ftp.getresp())
        except ftplib.Error as reply:
            print("reply", reply)
print("bytes", sum(len(c) for c in chunks))
