#!/bin/sh
# Install the Debian packages slugguard builds and tests with, when missing.
# apt-get update runs once, and only if something must be installed.
# Arguments name extra packages (make check adds its linters).
set -e
pkgs="build-essential pkg-config git ca-certificates openssl tar gzip python3
libgit2-dev libcurl4-openssl-dev libcjson-dev libarchive-dev libssl-dev
libcmocka-dev libhyperscan-dev libpcre2-dev zlib1g-dev libdeflate-dev libkrb5-dev
bubblewrap $*"
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "slugguard: installing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
