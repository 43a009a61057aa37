#!/usr/bin/env python3
"""Aborts a running transfer the way real clients do and prints every reply that follows.

usage: abor_client.py HOST PORT USER PASSWORD PATH STYLE OP [WAIT]
  STYLE  synch:  RFC 959 4.1.3 (lftp, BSD ftp): IAC IP and IAC sent normally, the DM as TCP urgent
                 data (MSG_OOB), then ABOR
         ftplib: Python's FTP.abort(): the whole "ABOR\\r\\n" sent with MSG_OOB (its LF is urgent)
  OP     retr (read 1 MiB of PATH, then abort while the server is still sending) or
         stor (send 1 MiB to PATH, then abort while the server is still reading)
  WAIT   seconds to wait for the ABOR's last reply (225, 226 or 5xx) with the data connection
         still open (default 3); then the data connection is closed, NOOP sent, and replies read
         until the NOOP's 200 (twice WAIT, at least 8 s)

Prints one line: "ABOR <op> <style>: <reply> | ... || NOOP || <reply> | ..." where "<silence>"
marks WAIT seconds without a reply to the ABOR (or no reply to the NOOP) and "<closed>" the
server closing the connection; exits 0 if the NOOP got its 200 as the last reply.
The same run direct and through the relay must print the same line.
"""
import ftplib
import select
import socket
import sys
import time

IAC, IP, DM = b"\xff", b"\xf4", b"\xf2"


def main():
    host, port, user, password, path, style, op = sys.argv[1:8]
    wait = float(sys.argv[8]) if len(sys.argv) > 8 else 3.0
    ftp = ftplib.FTP()
    ftp.connect(host, int(port), timeout=20)
    ftp.login(user, password)
    ftp.voidcmd("TYPE I")
    if op == "retr":
        data = ftp.transfercmd("RETR " + path)
        got = 0
        while got < 1 << 20:
            chunk = data.recv(65536)
            if not chunk:
                break
            got += len(chunk)
    else:
        data = ftp.transfercmd("STOR " + path)
        data.sendall(b"\0" * (1 << 20))
    control = ftp.sock
    if style == "synch":
        control.sendall(IAC + IP + IAC)
        control.send(DM, socket.MSG_OOB)
        control.sendall(b"ABOR\r\n")
    elif style == "ftplib":
        control.sendall(b"ABOR\r\n", socket.MSG_OOB)  # what FTP.abort() does
    else:
        raise SystemExit(f"unknown style {style}")
    reader = Replies(control)
    replies = reader.read(wait, ends_abor)
    data.close()
    control.sendall(b"NOOP\r\n")
    more = reader.read(max(8.0, 2 * wait), lambda line: line.startswith("200 "))
    noop_ok = bool(more) and more[-1].startswith("200 ")
    replies += ["| data closed, NOOP |"] + more
    print(f"ABOR {op} {style}: " + " | ".join(replies).replace("| | data closed, NOOP | |", "|| NOOP ||"), flush=True)
    return 0 if noop_ok else 1


def ends_abor(line):
    """A reply after which the server says nothing more about the ABOR: 225/226 or a refusal."""
    return line[:3] in ("225", "226") or line[:1] == "5" if len(line) > 3 and line[3] == " " else False


class Replies:
    """Reads reply lines straight from the socket (ftplib's reader cannot wait with a deadline)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def read(self, timeout, last):
        """Lines until one for which last(line) holds, silence for timeout seconds, or close."""
        out = []
        end = time.time() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                out.append(line.rstrip(b"\r").decode("latin-1"))
                if last(out[-1]):
                    return out
            left = end - time.time()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return out + ["<silence>"]
            chunk = self.sock.recv(4096)
            if not chunk:
                return out + ["<closed>"]
            self.buf += chunk


if __name__ == "__main__":
    sys.exit(main())
