"""The NAT lab's FTPS and shared-port columns (matrix.py runs them after the plain matrix).

Three ways in, each against vsftpd behind the agent twice: plain vsftpd (the relay terminates FTPS
and speaks plain FTP inside the tunnel), and vsftpd insisting on TLS (ssl_enable, force_local_logins_ssl,
force_local_data_ssl, require_ssl_reuse) reached by an agent with --upstream-tls --upstream-pin.

  explicit  AUTH TLS on the tunnel's own port, then PBSZ 0 / PROT P
  implicit  TLS from the first byte on the relay's --ftps-listen port (990); the SNI picks the tunnel
  shared    the relay's shared FTP port (--ftp-listen, 21): USER name@domain (curl, ftplib),
            USER domain|name (commons-net), HOST and SNI (lftp with its default settings)

Clients: curl (--ssl-reqd; ftps:// for implicit), lftp with default settings (only the CA file is
given, so certificate verification stays on), Python's ftplib.FTP_TLS with prot_p() and
commons-net FTPSClient. Each cell is one client in one mode doing PROT P, LIST, RETR and STOR of
100 MiB (equal SHA-256, the upload judged on the server's disk) and REST, plus the passive-reply
check. Names resolve in the client namespace through /etc/netns/ferry-client/hosts (ip netns exec
binds it over /etc/hosts); the file is removed at the end.

The password check: tcpdump in the client namespace records every packet under 1 KiB on the
public side (every control-connection packet; bulk data segments are larger) while the FTPS cells
run, and the user's password must not be in it; a plain-FTP login captured the same way first
must contain it (the control: the check can fail).
"""
import concurrent.futures
import hashlib
import os
import re
import shutil
import subprocess
import time

import matrix as m

NETNS_ETC = "/etc/netns/ferry-client"
TLS_PORT = 2125  # vsftpd with ssl_enable on the lan host, and its tunnel's public port
SHARED_PORT = 21
IMPLICIT_PORT = 990
RELAY_NAME = "relay.lab.test"  # the relay's own name: its default FTPS certificate (IP SAN too)
TARGETS = {"vsftpd": ("vsftpd.lab.test", 2121), "vsftpd-tls": ("vsftpd-tls.lab.test", TLS_PORT)}
OPS = ["prot-p", "list", "retr-100m", "stor-100m", "rest", "reply-address"]
REMOTE = "ftps/big.bin"  # in the ferry user's home: a copy of big.bin
# (target, access, client, mode): the cells. Every client in every mode where the issue asks for
# it (explicit FTPS in front of plain vsftpd), and a spread of modes elsewhere to keep the run short.
# curl is left out of active mode: curl 7.87 and 7.88 (Debian 12's) never start TLS on an accepted data
# connection (curl issue 10666, a regression fixed in 8.0), so they fail PROT P in active mode against any server.
CELLS = ([("vsftpd", "explicit", c, mode) for c in ("curl", "lftp", "ftplib", "commons-net") for mode in m.MODES
          if (c, mode) != ("curl", "active")]
         + [("vsftpd", "implicit", "curl", "pasv"), ("vsftpd", "implicit", "lftp", "active"),
            ("vsftpd", "implicit", "ftplib", "epsv"), ("vsftpd", "implicit", "commons-net", "pasv"),
            ("vsftpd", "shared", "curl", "epsv"), ("vsftpd", "shared", "ftplib", "pasv"),
            ("vsftpd", "shared", "lftp", "epsv"), ("vsftpd", "shared", "commons-net", "active"),
            ("vsftpd-tls", "explicit", "curl", "pasv"), ("vsftpd-tls", "explicit", "curl", "epsv"),
            ("vsftpd-tls", "explicit", "lftp", "active"), ("vsftpd-tls", "explicit", "lftp", "epsv"),
            ("vsftpd-tls", "explicit", "ftplib", "active"), ("vsftpd-tls", "explicit", "commons-net", "pasv"),
            ("vsftpd-tls", "implicit", "curl", "epsv"), ("vsftpd-tls", "shared", "ftplib", "epsv")])


# ------------------------------------------------------------------------------------ setup

def relay_flags(work):
    """The relay's extra flags: the shared port, implicit FTPS, and its default certificate."""
    cert, key = relay_certificate(work)
    return ["--ftp-listen", f"{m.RELAY_IP}:{SHARED_PORT}", "--ftps-listen", f"{m.RELAY_IP}:{IMPLICIT_PORT}",
            "--ftps-cert", cert, "--ftps-key", key]


def openssl_cert(work, name, subject_alt_names, rsa=False):
    cert, key = os.path.join(work, f"{name}.cert.pem"), os.path.join(work, f"{name}.key.pem")
    kind = ["-newkey", "rsa:2048"] if rsa else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    subprocess.run(["openssl", "req", "-x509", *kind, "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", f"/CN={name}", "-addext", "subjectAltName=" + subject_alt_names],
                   check=True, capture_output=True)
    return cert, key


def relay_certificate(work):
    return openssl_cert(work, RELAY_NAME, f"DNS:{RELAY_NAME},IP:{m.RELAY_IP}")


def write_hosts():
    os.makedirs(NETNS_ETC, exist_ok=True)
    names = " ".join([RELAY_NAME, *(f"{s}.lab.test" for s, _, _ in m.SERVERS), TARGETS["vsftpd-tls"][0]])
    with open(os.path.join(NETNS_ETC, "hosts"), "w") as f:
        f.write(f"127.0.0.1 localhost\n{m.RELAY_IP} {names}\n")


def remove_hosts():
    shutil.rmtree(NETNS_ETC, ignore_errors=True)


def fixtures(work):
    d = os.path.join(m.HOME, "ftps")
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(work, "big.bin"), os.path.join(d, "big.bin"))
    os.chmod(d, 0o755)
    os.chmod(os.path.join(d, "big.bin"), 0o644)
    shutil.chown(d, m.USER, m.USER)


def start_tls_vsftpd(work):
    """vsftpd insisting on TLS for logins and data, with session reuse, on the lan host."""
    cert, key = openssl_cert(work, "vsftpd-own", "DNS:vsftpd-own.lan", rsa=True)
    conf = os.path.join(work, "vsftpd-tls.conf")
    with open(conf, "w") as f:
        f.write(open(os.path.join(m.HERE, "servers", "vsftpd.conf")).read()
                .replace("listen_port=2121", f"listen_port={TLS_PORT}").replace("anonymous_enable=YES",
                                                                                "anonymous_enable=NO"))
        f.write("\n".join(["ssl_enable=YES", f"rsa_cert_file={cert}", f"rsa_private_key_file={key}", "ssl_ciphers=HIGH",
                           "force_local_logins_ssl=YES", "force_local_data_ssl=YES", "require_ssl_reuse=YES", ""]))
    m.start("vsftpd-tls", m.ns("lan", "/usr/sbin/vsftpd", conf), os.path.join(work, "vsftpd-tls.log"))
    m.wait_for(lambda: subprocess.run(m.ns("lan", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{TLS_PORT}"),
                                      stderr=subprocess.DEVNULL).returncode == 0, 15, f"vsftpd-tls on {TLS_PORT}")
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True, capture_output=True).stdout
    return "sha256:" + hashlib.sha256(der).hexdigest()


def start_tls_agent(work, relay_jar, agent_jar, pin):
    data = os.path.join(work, "relay-data")
    token, relay_pin = m.add_tunnel(relay_jar, data, TARGETS["vsftpd-tls"][0], TLS_PORT)
    logfile = os.path.join(work, "agent-vsftpd-tls.log")
    agent = m.start("agent-vsftpd-tls", m.ns("lan", "java", "-jar", agent_jar, "--relay", f"{m.RELAY_IP}:{m.AGENT_PORT}",
                                     "--token", token, "--pin", relay_pin, "--upstream", f"127.0.0.1:{TLS_PORT}",
                                     "--upstream-tls", "--upstream-pin", pin), logfile)
    m.wait_for(lambda: agent.poll() is not None or "is live at" in open(logfile, errors="replace").read(), 60,
               "agent for vsftpd-tls")
    if agent.poll() is not None:
        raise RuntimeError(f"the agent exited: {m.last_error(open(logfile, errors='replace').read())}")


def tunnel_cert(work, domain):
    """The self-signed certificate `tunnel add` generated for the domain: clients trust it as their CA."""
    return os.path.join(work, "relay-data", "ftps", f"{domain}.cert.pem")


# ------------------------------------------------------------------------------------ the password capture

class Capture:
    """tcpdump on the client's public interface: every packet under 1 KiB, to a file."""

    def __init__(self, work, name):
        self.path = os.path.join(work, f"{name}.pcap")
        self.log = os.path.join(work, f"{name}.tcpdump.log")
        self.proc = None

    def __enter__(self):
        if os.path.exists(self.path):
            os.remove(self.path)
        out = open(self.log, "wb")
        self.proc = subprocess.Popen(m.ns("client", "tcpdump", "-i", "c0", "-n", "-s", "0", "--immediate-mode", "-U",
                                          "-w", self.path,
                                          "tcp and less 1024"), stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        m.wait_for(lambda: "listening on" in open(self.log, errors="replace").read(), 15, "tcpdump")
        return self

    def __exit__(self, *exc):
        time.sleep(1)  # the last packets
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return False

    def packets(self):
        return int(re.search(r"(\d+) packets? captured", open(self.log, errors="replace").read()).group(1))

    def contains(self, text):
        with open(self.path, "rb") as f:
            return text.encode() in f.read()


# ------------------------------------------------------------------------------------ clients

def endpoint(target, access):
    """(host a client names, port, user it sends) for a cell."""
    domain, port = TARGETS[target]
    if access == "explicit":
        return domain, port, m.USER
    if access == "implicit":
        return domain, IMPLICIT_PORT, m.USER
    return m.RELAY_IP, SHARED_PORT, f"{m.USER}@{domain}"


def upload_name(target, access, client, mode):
    return f"up-ftps-{target}-{access}-{client}-{mode}.bin"


def curl_cell(work, target, access, mode, expected, cafile):
    host, port, user = endpoint(target, access)
    scheme = "ftps" if access == "implicit" else "ftp"
    base = f"{scheme}://{host}:{port}"
    flags = {"pasv": ["--disable-epsv"], "epsv": [], "active": ["--ftp-port", "-"]}[mode]
    tls = [] if access == "implicit" else ["--ssl-reqd"]
    common = ["curl", "-sS", "-v", "--max-time", "120", *tls, "--cacert", cafile, *flags, "-u", f"{user}:{m.PASSWORD}"]
    tmp = os.path.join(work, f"ftps-curl-{target}-{access}-{mode}")
    os.makedirs(tmp, exist_ok=True)
    cells, transcripts = {}, []

    def step(op, cmd, check=lambda out: True):
        rc, out, err = m.run_client(cmd)
        transcripts.append(err)
        ok = rc == 0 and check(out)
        cells[op] = (ok, "" if ok else f"exit {rc}: {m.last_error(err)}")

    step("list", [*common, f"{base}/ftps/"], lambda out: "big.bin" in out)
    down = os.path.join(tmp, "down.bin")
    step("retr-100m", [*common, "-o", down, f"{base}/{REMOTE}"], lambda out: m.sha256(down) == expected)
    step("stor-100m", [*common, "-T", os.path.join(work, "big.bin"),
                       f"{base}/{upload_name(target, access, 'curl', mode)}"])
    part = os.path.join(tmp, "part.bin")
    with open(os.path.join(work, "big.bin"), "rb") as src, open(part, "wb") as dst:
        dst.write(src.read(30 << 20))
    step("rest", [*common, "-C", "-", "-o", part, f"{base}/{REMOTE}"], lambda out: m.sha256(part) == expected)
    keep_transcript(work, ("curl", target, access, mode), "\n".join(transcripts))
    cells["prot-p"] = prot_p_check(transcripts, lambda t: "> PROT P" in t and re.search(r"< 200[ -]", t))
    cells["reply-address"] = m.reply_check(mode, transcripts)
    shutil.rmtree(tmp, ignore_errors=True)
    return cells


def keep_transcript(work, cell, text):
    """A client's debug output, kept in WORK/ftps-transcripts for a failed cell's post-mortem."""
    d = os.path.join(work, "ftps-transcripts")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "-".join(cell) + ".log"), "w") as f:
        f.write(text)


def prot_p_check(transcripts, accepted):
    ok = bool(transcripts) and all(accepted(t) for t in transcripts)
    return ok, "" if ok else "a session without an accepted PROT P"


def lftp_cell(work, target, access, mode, expected, cafile):
    host, port, user = endpoint(target, access)
    if access == "shared":
        host = TARGETS[target][0]  # lftp names the domain: HOST and SNI route it
    settings = {"pasv": "set ftp:passive-mode on; set ftp:prefer-epsv no;",
                "epsv": "set ftp:passive-mode on; set ftp:prefer-epsv yes;",
                "active": "set ftp:passive-mode off; set ftp:port-range 40000-40999;"}[mode]
    # lftp's defaults otherwise: AUTH TLS when offered, PROT P, HOST when FEAT lists it, SNI, verification on.
    base = (f"set ssl:ca-file {cafile}; set net:max-retries 1; set net:timeout 30; set net:reconnect-interval-base 1; "
            "set cmd:fail-exit yes; set xfer:clobber on; " + settings)
    url = f"{'ftps' if access == 'implicit' else 'ftp'}://{host}:{port}"
    tmp = os.path.join(work, f"ftps-lftp-{target}-{access}-{mode}")
    os.makedirs(tmp, exist_ok=True)
    down, part = os.path.join(tmp, "down.bin"), os.path.join(tmp, "part.bin")
    with open(os.path.join(work, "big.bin"), "rb") as src, open(part, "wb") as dst:
        dst.write(src.read(30 << 20))
    script = "; ".join([f"cls -l ftps/ > {tmp}/list.txt", f"get {REMOTE} -o {down}",
                        f"put {os.path.join(work, 'big.bin')} -o {upload_name(target, access, 'lftp', mode)}",
                        f"get -c {REMOTE} -o {part}", "bye"])
    # One session, each operation judged from the debug transcript (lftp stops at the first failure).
    rc, out, err = m.run_client(["lftp", "-d", "-u", f"{user},{m.PASSWORD}", "-e", base + script, url], cwd=tmp)
    t = err + out
    keep_transcript(work, ("lftp", target, access, mode), t)
    cells = {}
    listing = open(f"{tmp}/list.txt", errors="replace").read() if os.path.exists(f"{tmp}/list.txt") else ""
    cells["list"] = ("big.bin" in listing, "" if "big.bin" in listing else f"exit {rc}: {m.last_error(err)}")
    ok = os.path.exists(down) and m.sha256(down) == expected
    cells["retr-100m"] = (ok, "" if ok else f"exit {rc}: {m.last_error(err)}")
    ok = os.path.exists(os.path.join(m.HOME, upload_name(target, access, "lftp", mode)))  # run_cell compares it
    cells["stor-100m"] = (ok, "" if ok else f"exit {rc}: {m.last_error(err)}")
    ok = rc == 0 and m.sha256(part) == expected
    cells["rest"] = (ok, "" if ok else f"exit {rc}: {m.last_error(err)}")
    tls = ("implicit TLS" if access == "implicit" else "AUTH TLS") + ", PROT P"
    accepted = "---> PROT P" in t and "<--- 200" in t and (access == "implicit" or "---> AUTH TLS" in t)
    if access == "shared":
        accepted = accepted and f"---> HOST {TARGETS[target][0]}" in t
        tls += ", HOST"
    cells["prot-p"] = (accepted, tls if accepted else f"no {tls} in the transcript: {m.last_error(err)}")
    cells["reply-address"] = m.reply_check(mode, [t])
    shutil.rmtree(tmp, ignore_errors=True)
    return cells


def ftplib_cell(work, target, access, mode, expected, cafile):
    host, port, user = endpoint(target, access)
    return m.program_cells_for(OPS, ["python3", os.path.join(m.HERE, "clients", "ftplib_tls_client.py"), host,
                                     str(port), mode, "implicit" if access == "implicit" else "explicit", cafile,
                                     work, user, m.PASSWORD, REMOTE, upload_name(target, access, "ftplib", mode)])


def commons_net_cell(work, target, access, mode, expected, cafile, classpath):
    host, port, user = endpoint(target, access)
    if access == "shared":
        user = f"{TARGETS[target][0]}|{m.USER}"  # commons-net: the other USER form
    return m.program_cells_for(OPS, ["java", "-cp", classpath, os.path.join(m.HERE, "clients",
                                                                             "CommonsNetFtpsClient.java"),
                                     host, str(port), mode, "implicit" if access == "implicit" else "explicit", cafile,
                                     work, user, m.PASSWORD, REMOTE, upload_name(target, access, "commons-net", mode)])


def run_cell(work, cell, expected, classpath):
    target, access, client, mode = cell
    # The tunnel's own certificate when the client names the domain (SNI); the relay's when it names the IP.
    cafile = (os.path.join(work, f"{RELAY_NAME}.cert.pem") if endpoint(target, access)[0] == m.RELAY_IP
              and client != "lftp" else tunnel_cert(work, TARGETS[target][0]))
    drivers = {"curl": curl_cell, "lftp": lftp_cell, "ftplib": ftplib_cell,
               "commons-net": lambda *a: commons_net_cell(*a, classpath)}
    cells = drivers[client](work, target, access, mode, expected, cafile)
    ok, _ = cells.get("stor-100m") or (False, "")
    path = os.path.join(m.HOME, upload_name(target, access, client, mode))
    if ok and (not os.path.exists(path) or m.sha256(path) != expected):
        cells["stor-100m"] = (False, f"{path} missing or different")
    if os.path.exists(path):
        os.remove(path)
    return cells


def plain_login(work):
    """The control cell: curl logs in with the password over plain FTP and lists."""
    rc, out, err = m.run_client(["curl", "-sS", "--max-time", "60", "-u", f"{m.USER}:{m.PASSWORD}",
                                 f"ftp://{TARGETS['vsftpd'][0]}:{TARGETS['vsftpd'][1]}/ftps/"])
    return rc == 0 and "big.bin" in out, f"exit {rc}: {m.last_error(err)}"


# ------------------------------------------------------------------------------------ run and report

def selected(only):
    """The cells to run: all, or those whose "target access client mode" matches the regex `only`."""
    return [cell for cell in CELLS if not only or re.search(only, " ".join(cell))]


def run(work, relay_jar, agent_jar, classpath, expected, only=None):
    """Runs every FTPS cell; returns (results by cell, password-capture findings)."""
    results, capture = {}, {}
    fixtures(work)
    cells = selected(only)
    try:
        start_tls_agent(work, relay_jar, agent_jar, start_tls_vsftpd(work))
    except Exception as e:  # its cells fail with the reason; the others still run
        m.log(f"vsftpd-tls behind --upstream-tls did not come up: {type(e).__name__}: {e}")
        for cell in [c for c in cells if c[0] == "vsftpd-tls"]:
            results[cell] = {op: (False, f"vsftpd-tls agent: {type(e).__name__}: {e}") for op in OPS}
        cells = [c for c in cells if c[0] != "vsftpd-tls"]
    with Capture(work, "plain") as plain:
        login_ok, detail = plain_login(work)
    capture["plain"] = (login_ok and plain.contains(m.PASSWORD), plain.packets(),
                        "" if login_ok else f"plain login failed: {detail}")
    with Capture(work, "ftps") as ftps:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            futures = {cell: pool.submit(run_cell, work, cell, expected, classpath) for cell in cells}
            for cell, future in futures.items():
                try:
                    results[cell] = future.result()
                except Exception as e:  # a broken driver is a failed row, not a lost matrix
                    results[cell] = {op: (False, f"{type(e).__name__}: {e}") for op in OPS}
                m.log(f"ftps {' / '.join(cell)}: "
                      + ("PASS" if all(c[0] for c in results[cell].values() if c) else "FAIL"))
    capture["ftps"] = (not ftps.contains(m.PASSWORD), ftps.packets(), "")
    return results, capture


def report(results, capture, only=None):
    failed, failures = 0, []
    print()
    print("NAT lab FTPS columns: target x access x client x mode -> operations (PROT P everywhere)")
    failed += m.print_rows(results, [("target", 11), ("access", 9), ("client", 12), ("mode", 7)], OPS, failures)
    if len(results) != len(selected(only)):
        print(f"FTPS columns incomplete: {len(results)} of {len(selected(only))} rows ran")
        failed += 1
    print()
    plain_ok, plain_packets, plain_detail = capture.get("plain", (False, 0, "not run"))
    ftps_ok, ftps_packets, _ = capture.get("ftps", (False, 0, "not run"))
    print(f"password capture (tcpdump in ferry-client, packets under 1 KiB): plain-FTP login: password "
          f"{'present' if plain_ok else 'NOT FOUND'} in {plain_packets} packets (control: must be present"
          f"{'; ' + plain_detail if plain_detail else ''}); FTPS cells: password "
          f"{'absent' if ftps_ok else 'PRESENT'} in {ftps_packets} packets")
    if not plain_ok:
        failures.append("  password capture: the plain-FTP control login's capture lacks the password")
        failed += 1
    if not ftps_ok or ftps_packets < 1000:
        failures.append(f"  password capture: FTPS capture {'holds the password' if not ftps_ok else 'too small'}")
        failed += 1
    if failures:
        print("FTPS failures:")
        print("\n".join(failures))
    print(f"FTPS columns: {'FAILED' if failed else 'PASSED'} ({failed} failed cells)")
    return failed
