#!/usr/bin/env bash
# Stops the single-node Ceph cluster that deploy/ceph/start-ceph.sh started: radosgw, the OSD, the monitor (in that
# order), found by the pid files in its state folder, so no other Ceph on the machine is touched.
#
#   deploy/ceph/stop-ceph.sh [STATE_DIR] [--wipe]
#
# STATE_DIR (or PSSOCKETFTP_CEPH_DIR; default /var/tmp/pssocketftp-ceph). --wipe then deletes STATE_DIR: data, keys,
# logs; the next start makes a new cluster, user (new keys) and bucket.
set -euo pipefail

STATE=
WIPE=0
for a in "$@"; do
    case $a in
        --wipe) WIPE=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) STATE=$a ;;
    esac
done
STATE=${STATE:-${PSSOCKETFTP_CEPH_DIR:-/var/tmp/pssocketftp-ceph}}
[[ $(id -u) == 0 ]] || { echo "stop-ceph: run as root" >&2; exit 1; }
if [[ ! -d $STATE ]]; then
    echo "stop-ceph: no state folder $STATE: nothing to stop"
    exit 0
fi

stop_daemon() { # stop_daemon NAME: SIGTERM, then SIGKILL after 15 s
    local f=$STATE/run/$1.pid pid
    [[ -s $f ]] || return 0
    pid=$(cat "$f")
    # Only a Ceph daemon: a stale pid file may name a process that reused the number.
    if kill -0 "$pid" 2>/dev/null && grep -qE '^(ceph-mon|ceph-osd|radosgw)' "/proc/$pid/comm" 2>/dev/null; then
        echo "stop-ceph: stopping $1 (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "stop-ceph: $1 did not stop in 15 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
        fi
    fi
    rm -f "$f"
}
stop_daemon client.rgw.a
stop_daemon osd.0
stop_daemon mon.a

if ((WIPE)); then
    echo "stop-ceph: wiping $STATE"
    rm -rf -- "$STATE"
fi
echo "stop-ceph: stopped"
