#!/usr/bin/env bash
# Stops the HAProxy that deploy/haproxy/start-haproxy.sh started (found by its pid file; any other HAProxy on the
# machine is left alone).
#
#   deploy/haproxy/stop-haproxy.sh [--state DIR] [--wipe]
#
# --state DIR (or PSSOCKETFTP_HAPROXY_DIR; default /var/tmp/pssocketftp-haproxy); --wipe then deletes DIR.
set -euo pipefail

STATE=${PSSOCKETFTP_HAPROXY_DIR:-/var/tmp/pssocketftp-haproxy}
WIPE=0
while (($#)); do
    case $1 in
        --state) STATE=${2:?--state needs a folder}; shift 2 ;;
        --wipe) WIPE=1; shift ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "stop-haproxy: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ $(id -u) == 0 ]] || { echo "stop-haproxy: run as root" >&2; exit 1; }

PIDFILE=$STATE/haproxy.pid
if [[ -s $PIDFILE ]]; then
    # After a reload the pid file names the newest process; old.pids names the ones it replaced, which may
    # still be finishing their connections.
    for pid in $(cat "$PIDFILE" "$STATE/old.pids" 2>/dev/null); do
        # A live haproxy only: not a zombie, not a process that reused the number.
        if kill -0 "$pid" 2>/dev/null && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == haproxy ]] \
            && [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
            echo "stop-haproxy: stopping haproxy (pid $pid)"
            kill -TERM "$pid"
            for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$PIDFILE" "$STATE/old.pids"
else
    echo "stop-haproxy: no pid file in $STATE: nothing to stop"
fi
if ((WIPE)) && [[ -d $STATE ]]; then
    echo "stop-haproxy: wiping $STATE"
    rm -rf -- "$STATE"
fi
