#!/usr/bin/env bash
# Starts HAProxy (2.6, from Debian) in TCP mode in front of several PSSocketFtp servers on this machine (issue #14):
# one front port, balanced over the backend ports, with a TCP health check. TLS passes through untouched: each
# server keeps its own certificate and the client talks TLS to it end to end.
# Run as root. Running it again with other ports reloads HAProxy gracefully (open connections stay on the old
# process until they end); running it again with the same ports is harmless.
#
#   deploy/haproxy/start-haproxy.sh [--state DIR] [--bind ADDR] [--send-proxy] FRONT_PORT BACKEND_PORT [BACKEND_PORT...]
#
#   --state DIR  (or PSSOCKETFTP_HAPROXY_DIR; default /var/tmp/pssocketftp-haproxy) haproxy.cfg, pid file, admin socket
#   --bind ADDR  the front's address (default 127.0.0.1); the backends are always on 127.0.0.1
#   --send-proxy (or PSSOCKETFTP_HAPROXY_SEND_PROXY=1) send each client's address to the servers (PROXY protocol v2,
#                also on health checks, as LOCAL); the servers must run with --proxy-protocol, or they refuse it all
#   PSSOCKETFTP_HAPROXY_STATS_PORT  HAProxy's stats page on 127.0.0.1 (default 8404; 0 turns it off). The script
#                reads it (CSV) to report the backends' health.
#   PSSOCKETFTP_HAPROXY_NO_INSTALL=1  never runs apt-get
# deploy/haproxy/stop-haproxy.sh stops it.
set -euo pipefail

STATE=${PSSOCKETFTP_HAPROXY_DIR:-/var/tmp/pssocketftp-haproxy}
BIND=127.0.0.1
STATS_PORT=${PSSOCKETFTP_HAPROXY_STATS_PORT:-8404}
SEND_PROXY=${PSSOCKETFTP_HAPROXY_SEND_PROXY:-0}
ports=()
die() { echo "start-haproxy: $*" >&2; exit 1; }
usage() { sed -n '2,17p' "$0"; exit "${1:-0}"; }
while (($#)); do
    case $1 in
        --state) STATE=${2:?--state needs a folder}; shift 2 ;;
        --bind) BIND=${2:?--bind needs an address}; shift 2 ;;
        --send-proxy) SEND_PROXY=1; shift ;;
        -h|--help) usage 0 ;;
        *) [[ $1 =~ ^[0-9]+$ ]] || die "not a port: $1"; ports+=("$1"); shift ;;
    esac
done
((${#ports[@]} >= 2)) || { echo "start-haproxy: give a front port and at least one backend port" >&2; usage 2; }
FRONT=${ports[0]}
BACKENDS=("${ports[@]:1}")
[[ $(id -u) == 0 ]] || die "run as root"

if ! command -v haproxy >/dev/null 2>&1; then
    [[ ${PSSOCKETFTP_HAPROXY_NO_INSTALL:-0} == 1 ]] && die "haproxy is not installed (PSSOCKETFTP_HAPROXY_NO_INSTALL=1)"
    echo "start-haproxy: installing haproxy (apt-get update first)"
    apt-get update -qq || die "apt-get update failed"
    cand=$(apt-cache policy haproxy 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [[ -n $cand && $cand != "(none)" ]] || die "the package mirror has no haproxy package (Debian 12 has 2.6; the mirror here may be partial)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null || die "apt-get install haproxy failed"
fi
command -v curl >/dev/null 2>&1 || { ((STATS_PORT == 0)) || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }

mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
CFG=$STATE/haproxy.cfg
PIDFILE=$STATE/haproxy.pid

{
    cat <<EOF
# Written by deploy/haproxy/start-haproxy.sh: PSSocketFtp servers behind one TCP front port.
global
    daemon
    pidfile $PIDFILE
    stats socket $STATE/admin.sock mode 600 level admin
    maxconn 4096
    # No syslog here: errors go to stderr at start; the stats page shows the state.

defaults
    mode tcp
    timeout connect 5s
    # A session may sit idle between commands and a transfer may pause; the PSSocketFtp server's own idle
    # timeout (300 s by default) closes idle sessions, so HAProxy's is longer than it.
    timeout client 1h
    timeout server 1h
    timeout client-fin 30s
    timeout server-fin 30s

frontend pssocketftp
    bind $BIND:$FRONT
    default_backend pssocketftp_servers

backend pssocketftp_servers
    # Sessions are long (one TCP connection carries many requests): the least loaded server takes the next one.
    balance leastconn
    # Health: a TCP connect every 2 s; 2 failures mark a server down, 1 success up again. A connection to a
    # server that goes down is not moved; the client's retry reconnects through the front to a healthy one.
    option tcp-check
    default-server inter 2s fall 2 rise 1 on-marked-down shutdown-sessions
    # A server that died is found by the check within 2-4 s; until then leastconn may pick it for a new
    # connection (it holds the fewest sessions). HAProxy retries the connect, and with redispatch its last retry
    # goes to another server, so the client connects at once instead of spending a retry of its own.
    retries 2
    option redispatch
EOF
    # With --send-proxy each connection starts with a PROXY v2 header naming the client, and each health check with
    # one whose command is LOCAL (no client), which the server (--proxy-protocol) accepts quietly: without
    # check-send-proxy a check would reach it with no header.
    server_opts=check
    [[ $SEND_PROXY == 1 ]] && server_opts="check send-proxy-v2 check-send-proxy"
    i=1
    for p in "${BACKENDS[@]}"; do
        echo "    server s$i 127.0.0.1:$p $server_opts"
        i=$((i + 1))
    done
    if ((STATS_PORT != 0)); then
        cat <<EOF

listen stats
    mode http
    bind 127.0.0.1:$STATS_PORT
    timeout client 10s
    timeout server 10s
    stats enable
    stats uri /
    stats refresh 5s
EOF
    fi
} > "$CFG.new"
haproxy -c -q -f "$CFG.new" || die "haproxy rejects the configuration in $CFG.new"
mv "$CFG.new" "$CFG"

running=
if [[ -s $PIDFILE ]]; then
    old=$(cat "$PIDFILE")
    if kill -0 "$old" 2>/dev/null && [[ $(cat "/proc/$old/comm" 2>/dev/null) == haproxy ]]; then running=$old; fi
fi
if [[ -n $running ]]; then
    echo "start-haproxy: reloading (old process $running finishes its connections)"
    echo "$running" >> "$STATE/old.pids"   # stop-haproxy.sh stops it too if it is still there
    haproxy -f "$CFG" -sf "$running"
else
    haproxy -f "$CFG"
fi

front_listens() { ss -Hltn "sport = :$FRONT" | grep -q .; }
for _ in $(seq 1 20); do front_listens && break; sleep 0.25; done
front_listens || die "nothing listens on $BIND:$FRONT (config: $CFG)"

echo "front:    $BIND:$FRONT (TCP, TLS passes through$([[ $SEND_PROXY == 1 ]] && echo ", PROXY protocol v2 to the servers"))"
echo "backends: ${BACKENDS[*]/#/127.0.0.1:}"
if ((STATS_PORT != 0)); then
    # The health of each backend after its first checks (up to 6 s).
    for _ in $(seq 1 12); do
        sleep 0.5
        csv=$(curl -fsS --max-time 2 "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null) || continue
        states=$(awk -F, '$1 == "pssocketftp_servers" && $2 ~ /^s[0-9]+$/ { print $2 "=" $18 }' <<<"$csv")
        # Settled: every server plainly UP or DOWN (not "UP 1/2", "DOWN 1/1", INI, or none yet).
        [[ -n $states ]] && ! grep -qvE '=(UP|DOWN|MAINT)$' <<<"$states" && break
    done
    echo "health:   $(tr '\n' ' ' <<<"${states:-unknown}")"
    echo "stats:    http://127.0.0.1:$STATS_PORT/"
fi
echo "stop with: $(dirname "$0")/stop-haproxy.sh --state $STATE"
