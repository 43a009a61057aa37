#!/usr/bin/env python3
"""Small FTP clients for the NAT lab's fault cases (deploy/lab/faults.py), Python's ftplib only.

usage:
  fault_client.py greeting HOST PORT
      prints the server's first reply line (or "ERROR <why>") and how long it took
  fault_client.py stor-resume HOST PORT USER PASSWORD LOCAL REMOTE
      SIZE of REMOTE, then REST <size> + STOR of the rest of LOCAL; prints "RESUMED <size> <reply>"
  fault_client.py stall HOST PORT COUNT SECONDS FILE
      COUNT anonymous sessions each start RETR FILE, read 1 MiB and stop reading; prints
      "STALLED <n>" once they are all stalled, holds SECONDS, then closes them all
"""
import ftplib
import socket
import sys
import threading
import time


def greeting(host, port):
    started = time.monotonic()
    try:
        with socket.create_connection((host, int(port)), timeout=15) as s:
            s.settimeout(15)
            line = s.makefile("rb").readline().decode("ascii", "replace").strip()
    except OSError as e:
        line = f"ERROR {e}"
    print(f"{line} ({int((time.monotonic() - started) * 1000)} ms)")


def stor_resume(host, port, user, password, local, remote):
    ftp = ftplib.FTP()
    ftp.connect(host, int(port), timeout=60)
    ftp.login(user, password)
    ftp.voidcmd("TYPE I")
    size = ftp.size(remote) or 0
    with open(local, "rb") as f:
        f.seek(size)
        reply = ftp.storbinary(f"STOR {remote}", f, blocksize=1 << 20, rest=size)
    ftp.quit()
    print(f"RESUMED {size} {reply}")


def stall(host, port, count, seconds, path):
    stalled, sessions, errors = [], [], []
    lock = threading.Lock()

    def one():
        try:
            ftp = ftplib.FTP()
            ftp.connect(host, int(port), timeout=60)
            ftp.login()
            ftp.voidcmd("TYPE I")
            conn = ftp.transfercmd(f"RETR {path}")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            got = 0
            while got < 1 << 20:
                chunk = conn.recv(64 * 1024)
                if not chunk:
                    break
                got += len(chunk)
            with lock:
                sessions.append((ftp, conn))
                stalled.append(got)
        except (OSError, ftplib.Error) as e:
            with lock:
                errors.append(str(e))

    threads = [threading.Thread(target=one) for _ in range(int(count))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    print(f"STALLED {len(stalled)} errors {len(errors)} {errors[:1]}", flush=True)
    time.sleep(float(seconds))
    for ftp, conn in sessions:
        for c in (conn, ftp.sock):
            try:
                c.close()
            except OSError:
                pass


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"greeting": greeting, "stor-resume": stor_resume, "stall": stall}[command](*args)
