#!/usr/bin/env python3
"""Python's ftplib.FTP_TLS as a lab client: one FTPS session, PROT P, then LIST, RETR, STOR and REST.

usage: ftplib_tls_client.py HOST PORT MODE(pasv|epsv|active) TLS(explicit|implicit) CAFILE WORKDIR USER PASSWORD
                            REMOTE UPLOAD_AS
  The certificate is verified against CAFILE and HOST (a name or an IP address). Explicit: AUTH TLS
  before USER (FTP_TLS.login does it); implicit: TLS from the first byte, as FTP_TLS cannot.
  REMOTE is the file to download (WORKDIR/big.bin's copy); UPLOAD_AS the name to store it under.
Prints one line per operation: RESULT <op> PASS|FAIL <detail>, and every raw 227/229 is checked.
"""
import ftplib
import hashlib
import os
import socket
import ssl
import sys

HOST, PORT, MODE, TLS, CAFILE, WORK, USER, PASSWORD, REMOTE, UPLOAD_AS = sys.argv[1:11]
PUBLIC = "(198,51,100,1,"
REPLIES = []


class LabFTP(ftplib.FTP_TLS):
    def getline(self):
        line = super().getline()
        REPLIES.append(line)
        return line

    def makepasv(self):
        if MODE == "epsv":
            return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
        return super().makepasv()

    def connect(self, host="", port=0, timeout=-999, source_address=None):
        if TLS != "implicit":
            return super().connect(host, port, timeout, source_address)
        # Implicit FTPS: the control connection is TLS from its first byte (the server name goes out as SNI).
        self.host, self.port = host, port
        if timeout != -999:
            self.timeout = timeout
        raw = socket.create_connection((host, port), self.timeout)
        self.af = raw.family
        self.sock = self.context.wrap_socket(raw, server_hostname=host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome


def sha256_file(path, limit=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if limit is not None:
            h.update(f.read(limit))
        else:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h


def result(op, ok, detail=""):
    print(f"RESULT {op} {'PASS' if ok else 'FAIL'} {detail}".rstrip(), flush=True)


def run(op, fn):
    try:
        ok, detail = fn()
    except Exception as e:  # a failed operation is a failed cell, not a crash
        ok, detail = False, f"{type(e).__name__}: {e}"
    result(op, ok, detail)
    return ok


def main():
    big = os.path.join(WORK, "big.bin")
    expected = sha256_file(big).hexdigest()
    ftp = LabFTP(context=ssl.create_default_context(cafile=CAFILE), timeout=60)

    def login():
        ftp.connect(HOST, int(PORT))
        ftp.login(USER, PASSWORD)
        reply = ftp.prot_p()
        ftp.set_pasv(MODE != "active")
        ftp.voidcmd("TYPE I")
        return reply.startswith("200"), reply

    if not run("prot-p", login):
        for op in ("list", "retr-100m", "stor-100m", "rest", "reply-address"):
            result(op, False, "no FTPS session")
        return

    def list_():
        lines = []
        ftp.retrlines("LIST " + os.path.dirname(REMOTE), lines.append)
        return any(line.endswith(os.path.basename(REMOTE)) for line in lines), f"{len(lines)} entries"

    def retr():
        h = hashlib.sha256()
        ftp.retrbinary("RETR " + REMOTE, h.update, blocksize=1 << 20)
        return h.hexdigest() == expected, "sha256 " + h.hexdigest()[:12]

    def stor():
        with open(big, "rb") as f:
            reply = ftp.storbinary("STOR " + UPLOAD_AS, f, blocksize=1 << 20)
        return reply.startswith("226"), reply

    def rest():
        offset = 30 << 20
        h = sha256_file(big, offset)
        ftp.retrbinary("RETR " + REMOTE, h.update, blocksize=1 << 20, rest=offset)
        return h.hexdigest() == expected, "resumed at 30 MiB"

    for op, fn in (("list", list_), ("retr-100m", retr), ("stor-100m", stor), ("rest", rest)):
        run(op, fn)
    try:
        ftp.quit()
    except (OSError, ftplib.Error):
        pass
    seen = [r for r in REPLIES if r.startswith(("227", "229"))]
    bad = [r for r in seen if r.startswith("227") and PUBLIC not in r]
    if MODE == "active":
        result("reply-address", not seen, "no 227/229 in active mode" if not seen else seen[0])
    else:
        result("reply-address", bool(seen) and not bad, bad[0] if bad else f"{len(seen)} passive replies")


if __name__ == "__main__":
    main()
