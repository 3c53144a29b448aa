#!/bin/sh
# Install the Debian packages and services the test suite needs. Runs as root.
# Idempotent and fast when everything is already present: it only calls apt-get when a
# package is missing, and it never starts Debian's own Dovecot service (tests run their own).
set -eu

# postgresql-client: pg_dump and pg_restore for `mailflow backup` and `restore` on PostgreSQL.
PACKAGES="dovecot-imapd dovecot-lmtpd libreoffice-writer-nogui poppler-utils chromium fonts-dejavu-core fonts-liberation2 openssl postgresql-client"
TEST_USER=mailflowtest

installed() {
    # "dpkg -s" also succeeds for removed packages whose config files remain.
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
for package in $PACKAGES; do
    if ! installed "$package"; then
        missing="$missing $package"
    fi
done

if [ -n "$missing" ]; then
    # Another apt may be running (a provisioning step); wait instead of failing on its lock.
    while pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; do
        sleep 2
    done
    # Keep the package scripts from starting system services (Dovecot would bind 143 and
    # use /etc/dovecot; the tests start their own instance on free ports).
    policy_was_ours=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_was_ours=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    apt-get install -y --no-install-recommends $missing
    if [ "$policy_was_ours" = 1 ]; then
        rm -f /usr/sbin/policy-rc.d
    fi
fi

# Dovecot refuses root (and any uid below first_valid_uid) as the owner of mail, so the test
# Maildirs belong to an unprivileged system user with a uid of at least 1000.
if ! id "$TEST_USER" >/dev/null 2>&1; then
    uid=1500
    while getent passwd "$uid" >/dev/null 2>&1 || getent group "$uid" >/dev/null 2>&1; do
        uid=$((uid + 1))
    done
    groupadd --gid "$uid" "$TEST_USER"
    useradd --uid "$uid" --gid "$uid" --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin "$TEST_USER"
fi

# PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) for the PostgreSQL half of the tests.
postgres_up() {
    command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432
}
if [ -d /etc/postgresql ] && ! postgres_up; then
    for version in $(ls /etc/postgresql); do
        # Exits non-zero when the cluster already runs; that is fine.
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    tries=0
    until postgres_up || [ "$tries" -ge 30 ]; do
        tries=$((tries + 1))
        sleep 1
    done
fi

echo "install-system: ok"
