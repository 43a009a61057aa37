#!/usr/bin/env python3
"""Python ftplib as a lab client: runs the matrix operations against one server in one mode.

usage: ftplib_client.py HOST PORT MODE(pasv|epsv|active) WORKDIR USER PASSWORD
Prints one line per operation: RESULT <op> PASS|FAIL <detail>.
ftplib ignores the address in a 227 reply by default, so every raw 227 is recorded and checked.
"""
import ftplib
import hashlib
import os
import sys

HOST, PORT, MODE, WORK, USER, PASSWORD = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
PUBLIC = "198,51,100,1"
REPLIES = []


class RecordingFTP(ftplib.FTP):
    def getline(self):
        line = super().getline()
        REPLIES.append(line)
        return line

    def makepasv(self):
        if MODE == "epsv":
            return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
        return super().makepasv()


def connect(user=None, password=None):
    ftp = RecordingFTP()
    ftp.connect(HOST, PORT, timeout=30)
    if user:
        ftp.login(user, password)
    else:
        ftp.login()
    ftp.set_pasv(MODE != "active")
    return ftp


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def result(op, ok, detail=""):
    print(f"RESULT {op} {'PASS' if ok else 'FAIL'} {detail}".rstrip(), flush=True)


def run(op, fn):
    try:
        ok, detail = fn()
    except Exception as e:  # a failed operation is a failed cell, not a crash
        ok, detail = False, f"{type(e).__name__}: {e}"
    result(op, ok, detail)


def login_anon():
    ftp = connect()
    ftp.quit()
    return True, ""


def login_user():
    ftp = connect(USER, PASSWORD)
    ftp.quit()
    return True, ""


def list_():
    ftp = connect(USER, PASSWORD)
    lines = []
    ftp.retrlines("LIST", lines.append)
    ftp.quit()
    return len(lines) > 0, f"{len(lines)} entries"


def nlst():
    ftp = connect()
    names = ftp.nlst("pub")
    ftp.quit()
    return any(n.endswith("big.bin") for n in names), f"{len(names)} names"


def retr():
    ftp = connect()
    h = hashlib.sha256()
    ftp.retrbinary("RETR pub/big.bin", h.update, blocksize=1 << 20)
    ftp.quit()
    return h.hexdigest() == EXPECTED, "sha256 " + h.hexdigest()[:12]


def stor():
    ftp = connect(USER, PASSWORD)
    with open(os.path.join(WORK, "big.bin"), "rb") as f:
        ftp.storbinary(f"STOR up-ftplib-{MODE}.bin", f, blocksize=1 << 20)
    ftp.quit()
    return True, f"up-ftplib-{MODE}.bin"


def rest():
    half = 30 << 20
    ftp = connect()
    h = hashlib.sha256()
    with open(os.path.join(WORK, "big.bin"), "rb") as f:
        h.update(f.read(half))
    ftp.voidcmd("TYPE I")
    ftp.retrbinary("RETR pub/big.bin", h.update, blocksize=1 << 20, rest=half)
    ftp.quit()
    return h.hexdigest() == EXPECTED, "resumed at 30 MiB"


def concurrent():
    import threading
    results = []

    def one():
        try:
            ftp = connect()
            h = hashlib.sha256()
            ftp.retrbinary("RETR pub/big.bin", h.update, blocksize=1 << 20)
            ftp.quit()
            results.append(h.hexdigest() == EXPECTED)
        except Exception:
            results.append(False)

    threads = [threading.Thread(target=one) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return all(results) and len(results) == 2, f"{sum(results)}/2 equal"


EXPECTED = sha256_file(os.path.join(WORK, "big.bin"))
for name, fn in [("login-anon", login_anon), ("login-user", login_user), ("list", list_), ("nlst", nlst),
                 ("retr-100m", retr), ("stor-100m", stor), ("rest", rest), ("two-at-once", concurrent)]:
    run(name, fn)
bad = [r for r in REPLIES if r.startswith("227") and f"({PUBLIC}," not in r]
seen = [r for r in REPLIES if r.startswith("227") or r.startswith("229")]
if MODE == "active":
    result("reply-address", not seen, "no 227/229 in active mode" if not seen else seen[0])
else:
    result("reply-address", not bad and len(seen) > 0, (bad[0] if bad else f"{len(seen)} passive replies"))
