#!/usr/bin/env bash
# Installs what Ferry's tests need on Debian, idempotently. As root it installs packages; as
# another user it only says what is missing (unit tests still run; the lab tests then fail loudly).
#
# The three FTP servers conflict as Debian packages, so vsftpd is installed and proftpd and
# pure-ftpd are unpacked (dpkg -x) under /opt/ferry-lab, with the libraries proftpd needs.
set -euo pipefail

packages=(curl lftp socat iproute2 iptables procps python3 vsftpd openssh-server openssh-client tcpdump openssl etcd-server)
# The image tests (deploy/image-tests): Docker's daemon (started by deploy/ci/docker.sh, never as a
# service), mmdebstrap for the base image no registry is needed for, systemd-analyze for the units,
# docker-compose (v1) to validate the compose file.
packages+=(docker.io mmdebstrap systemd docker-compose)
# Headless Chromium loads the relay's status page in StatusPageInChromiumTest.
packages+=(chromium)
proftpd_libs=(libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3)
lab=/opt/ferry-lab

missing=()
for p in "${packages[@]}" "${proftpd_libs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
unpacked=()
[[ -x $lab/proftpd/usr/sbin/proftpd ]] || unpacked+=(proftpd-core)
[[ -x $lab/pure-ftpd/usr/sbin/pure-ftpd ]] || unpacked+=(pure-ftpd)

# A local user for vsftpd's FTPS tests (force_local_logins_ssl applies to local users only). Its
# password stays locked; the test sets a random one while it runs and locks it again.
tls_user=ferry-ftps
id "$tls_user" >/dev/null 2>&1 || missing_user=1

if [[ ${#missing[@]} -eq 0 && ${#unpacked[@]} -eq 0 && -z ${missing_user:-} ]]; then
  echo "test dependencies: all present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "test dependencies: not root, not installing. Missing: ${missing[*]} ${unpacked[*]}" >&2
  echo "  (run deploy/ci/install-test-deps.sh as root; the NAT lab and vsftpd tests need them)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "test dependencies: installing ${missing[*]} ${unpacked[*]}"
[[ ${#missing[@]} -eq 0 && ${#unpacked[@]} -eq 0 ]] || apt-get -o DPkg::Lock::Timeout=600 update -qq
if [[ ${#missing[@]} -gt 0 ]]; then
  # policy-rc.d keeps package scripts from starting services (vsftpd on port 21, sshd) on this host.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
work=$(mktemp -d)
for pkg in "${unpacked[@]}"; do
  (cd "$work" && apt-get download -qq "$pkg" >/dev/null 2>&1)
  dir=$lab/${pkg%-core}
  mkdir -p "$dir"
  dpkg -x "$work"/"${pkg}"_*.deb "$dir"
done
rm -rf "$work"
# vsftpd's anonymous login needs the ftp user and its home.
id ftp >/dev/null 2>&1 || useradd --system --home-dir /srv/ftp --shell /usr/sbin/nologin ftp
mkdir -p /srv/ftp /var/run/vsftpd/empty
# /bin/sh is in /etc/shells, which vsftpd's PAM stack (pam_shells) requires.
id "$tls_user" >/dev/null 2>&1 || useradd --system --create-home --home-dir /var/lib/$tls_user --shell /bin/sh "$tls_user"
echo "test dependencies: done"
