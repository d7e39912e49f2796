#!/bin/sh
# deps.sh - make sure the Debian packages boardvault builds and tests with
# are present; install the missing ones when we are root (CI, a fresh
# Debian machine), otherwise say exactly what to install.
#   scripts/deps.sh build   - compiler libraries only
#   scripts/deps.sh test    - plus the test tools
set -eu
want="libsodium-dev libssl-dev libargon2-dev libsqlite3-dev libpq-dev libsmartcols-dev libzxcvbn-dev libxml2-dev libzip-dev libpoppler-glib-dev pkg-config gcc make"
case "${1:-build}" in
test) want="$want libcmocka-dev bats faketime sqlite3 postgresql-15 postgresql-client-15 python3 python3-cryptography util-linux zsh chromium clang libclang-rt-14-dev clang-format" ;;
bench) want="$want age gnupg eatmydata libssl-dev sqlite3 time" ;;
esac
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "boardvault: missing Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
