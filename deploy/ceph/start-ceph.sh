#!/usr/bin/env bash
# Starts a single-node Ceph cluster on loopback with an S3 endpoint (radosgw), for PSSocketFtp's scale-out work
# (issue #14) and its tests: one monitor, one OSD on a bluestore file, one radosgw (beast frontend).
# Run as root. Idempotent: a second run starts only what is not running and keeps the data, user and bucket.
#
#   deploy/ceph/start-ceph.sh [STATE_DIR]
#
# STATE_DIR (or PSSOCKETFTP_CEPH_DIR; default /var/tmp/pssocketftp-ceph) holds everything: ceph.conf, the daemons'
# data, logs, pid files, and the S3 credentials. Other settings, by environment variable:
#   PSSOCKETFTP_CEPH_RGW_PORT   radosgw's port on 127.0.0.1 (default 7480)
#   PSSOCKETFTP_CEPH_MON_PORT   the monitor's msgr2 port on 127.0.0.1 (default 3300)
#   PSSOCKETFTP_CEPH_BUCKET     the bucket to create (default pssocketftp)
#   PSSOCKETFTP_CEPH_OSD_SIZE   the OSD's bluestore file size, sparse (default 10G)
#   PSSOCKETFTP_CEPH_NO_INSTALL=1  never runs apt-get (fails if a program is missing)
#
# Writes, in STATE_DIR:
#   credentials  the S3 user's keys, AWS shared-credentials format ([default] profile), mode 0600; the keys are made
#                by radosgw-admin on the first start and stay the same until the state is wiped. Never put them on
#                a command line: point AWS_SHARED_CREDENTIALS_FILE (or our tools) at this file.
#   s3.env       PSSOCKETFTP_S3_ENDPOINT, PSSOCKETFTP_S3_BUCKET, PSSOCKETFTP_S3_REGION, PSSOCKETFTP_S3_CREDENTIALS
#                (no secrets), for `source`.
# deploy/ceph/stop-ceph.sh stops it (and --wipe removes STATE_DIR).
set -euo pipefail

STATE=${1:-${PSSOCKETFTP_CEPH_DIR:-/var/tmp/pssocketftp-ceph}}
RGW_PORT=${PSSOCKETFTP_CEPH_RGW_PORT:-7480}
MON_PORT=${PSSOCKETFTP_CEPH_MON_PORT:-3300}
BUCKET=${PSSOCKETFTP_CEPH_BUCKET:-pssocketftp}
OSD_SIZE=${PSSOCKETFTP_CEPH_OSD_SIZE:-10G}
S3_USER=pssocketftp
START_TIME=$EPOCHREALTIME

log() { printf '[start-ceph %5.1fs] %s\n' "$(awk "BEGIN { print $EPOCHREALTIME - $START_TIME }")" "$*"; }
die() { echo "start-ceph: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (the Ceph daemons and apt-get need it)"
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

# --- packages --------------------------------------------------------------------------------------------------
# Ceph 16.2 (Pacific) from Debian 12: ceph-mon, ceph-osd, radosgw (ceph-common comes with them); curl is used by
# this script.
need_install=()
for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw radosgw-admin:radosgw ceph:ceph-common \
            monmaptool:ceph-common curl:curl uuidgen:uuid-runtime; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need_install+=("${pair#*:}")
done
if ((${#need_install[@]})); then
    mapfile -t need_install < <(printf '%s\n' "${need_install[@]}" | sort -u)
    [[ ${PSSOCKETFTP_CEPH_NO_INSTALL:-0} == 1 ]] && die "missing packages: ${need_install[*]} (PSSOCKETFTP_CEPH_NO_INSTALL=1)"
    echo "start-ceph: installing ${need_install[*]} (apt-get update first)"
    apt-get update -qq || die "apt-get update failed"
    missing=()
    for p in "${need_install[@]}"; do
        cand=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
        [[ -n $cand && $cand != "(none)" ]] || missing+=("$p")
    done
    ((${#missing[@]} == 0)) || die "the package mirror has no candidate for: ${missing[*]} (needed: ${need_install[*]}). Ceph 16.2 comes from Debian 12's main; the mirror here may be partial."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_install[@]}" >/dev/null \
        || die "apt-get install ${need_install[*]} failed (a dependency may be missing from the mirror; run it by hand to see which)"
fi

# --- configuration ----------------------------------------------------------------------------------------------
mkdir -p "$STATE"/{run,log,mon,osd,rgw}
CONF=$STATE/ceph.conf
[[ -s $STATE/fsid ]] || uuidgen > "$STATE/fsid"
FSID=$(cat "$STATE/fsid")
# Rewritten on every start so that a changed port takes effect; everything else in it is fixed.
cat > "$CONF" <<EOF
# Written by deploy/ceph/start-ceph.sh: a single-node test cluster on loopback. Not for production.
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.0/8
ms bind ipv6 = false
ms bind msgr1 = false
# No cephx: everything is on loopback. radosgw then needs crc allowed for its monitor connection.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
# One OSD: pools of size 1 on a crush map that places replicas per OSD.
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon max pg per osd = 1000
# Everything lives in the state folder.
run dir = $STATE/run
pid file = $STATE/run/\$name.pid
log file = $STATE/log/\$name.log
mon data = $STATE/mon/\$cluster-\$id
osd data = $STATE/osd/\$cluster-\$id
keyring = $STATE/keyring
# Small and quiet.
mon data avail warn = 2
mon data avail crit = 1
osd objectstore = bluestore
bluestore block create = true
bluestore block size = $(numfmt --from=iec "$OSD_SIZE")
bluestore fsck on mount = false
osd memory target = 939524096
bluestore cache autotune = false
bluestore cache size = 134217728
osd op num shards = 1
osd op num threads per shard = 2

# Admin sockets for the daemons only: radosgw-admin and the ceph CLI would otherwise collide with them.
[mon]
admin socket = $STATE/run/\$name.asok
[osd]
admin socket = $STATE/run/\$name.asok

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $STATE/rgw
rgw thread pool size = 64
rgw enable usage log = false
# What S3 deletes, radosgw frees only by garbage collection, by default two hours later: the tests and the benches
# delete gigabytes an hour, which filled the 10 GiB OSD (and a full OSD blocks every write, radosgw-admin's too).
rgw gc obj min wait = 60
rgw gc processor period = 60
rgw dns name = localhost
admin socket = $STATE/run/\$name.asok
EOF
CEPH=(ceph -c "$CONF" --connect-timeout 10)

alive() { # alive NAME: its pid file names a running process
    local f=$STATE/run/$1.pid
    [[ -s $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
    local t=$1 what=$2; shift 2
    local end=$((SECONDS + t))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || die "timed out after ${t}s waiting for $what (logs: $STATE/log)"
        sleep 0.5
    done
}

# --- monitor ----------------------------------------------------------------------------------------------------
if [[ ! -e $STATE/mon/ceph-a/done ]]; then
    log "creating the monitor"
    rm -rf "$STATE/mon/ceph-a"
    monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$STATE/monmap" >/dev/null
    ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap"
    touch "$STATE/mon/ceph-a/done"
fi
if alive mon.a; then
    log "monitor already running"
else
    log "starting the monitor on 127.0.0.1:$MON_PORT"
    ceph-mon -c "$CONF" -i a 2>>"$STATE/log/daemons.stderr"
fi
wait_for 60 "the monitor" "${CEPH[@]}" mon stat

# --- OSD --------------------------------------------------------------------------------------------------------
if [[ ! -e $STATE/osd/ceph-0/done ]]; then
    log "creating the OSD (bluestore file of $OSD_SIZE, sparse)"
    [[ -s $STATE/osd-uuid ]] || uuidgen > "$STATE/osd-uuid"
    OSD_UUID=$(cat "$STATE/osd-uuid")
    id=$("${CEPH[@]}" osd new "$OSD_UUID")
    [[ $id == 0 ]] || die "expected OSD id 0, the monitor gave $id (wipe the state: stop-ceph.sh --wipe)"
    rm -rf "$STATE/osd/ceph-0"; mkdir -p "$STATE/osd/ceph-0"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" 2>>"$STATE/log/osd-mkfs.log"
    touch "$STATE/osd/ceph-0/done"
fi
if alive osd.0; then
    log "OSD already running"
else
    log "starting the OSD"
    ceph-osd -c "$CONF" -i 0 2>>"$STATE/log/daemons.stderr"
fi
osd_up() { "${CEPH[@]}" osd dump 2>/dev/null | grep -q '^osd\.0 up'; }
wait_for 90 "the OSD to be up" osd_up

# --- radosgw ----------------------------------------------------------------------------------------------------
rgw_answers() { curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$RGW_PORT/"; }
if alive client.rgw.a; then
    log "radosgw already running"
else
    log "starting radosgw on 127.0.0.1:$RGW_PORT (its first start creates its pools)"
    radosgw -c "$CONF" -n client.rgw.a 2>>"$STATE/log/daemons.stderr"
fi
wait_for 120 "radosgw to answer on 127.0.0.1:$RGW_PORT" rgw_answers
log "radosgw answers"

# A full OSD takes no write and radosgw-admin waits for it without end: say so, and what to do, instead.
if "${CEPH[@]}" health 2>/dev/null | grep -qE '[0-9]+ full osd'; then
    die "the cluster is full ($("${CEPH[@]}" health 2>/dev/null)); free it with $(dirname "$0")/stop-ceph.sh $STATE --wipe, or start again with a larger PSSOCKETFTP_CEPH_OSD_SIZE after wiping"
fi

# --- S3 user, credentials, bucket -------------------------------------------------------------------------------
CREDS=$STATE/credentials
# Bounded: radosgw-admin waits without end for a cluster that cannot take its writes.
RGWADMIN=(timeout 60 radosgw-admin -c "$CONF" --log-file=/dev/null)
info=$("${RGWADMIN[@]}" user info --uid="$S3_USER" 2>/dev/null) || {
    (($? != 124)) || die "radosgw-admin did not answer within 60 s (cluster: $("${CEPH[@]}" health 2>/dev/null); logs: $STATE/log)"
    log "creating the S3 user $S3_USER (radosgw-admin generates its keys)"
    # The keys come out of radosgw-admin, never go onto a command line, and are kept only in $CREDS.
    info=$("${RGWADMIN[@]}" user create --uid="$S3_USER" --display-name="PSSocketFtp" --gen-access-key --gen-secret) \
        || die "radosgw-admin could not create the S3 user $S3_USER (logs: $STATE/log)"
}
access=$(sed -n 's/.*"access_key": *"\([^"]*\)".*/\1/p' <<<"$info" | head -n1)
secret=$(sed -n 's/.*"secret_key": *"\([^"]*\)".*/\1/p' <<<"$info" | head -n1)
[[ -n $access && -n $secret ]] || die "could not read the S3 user's keys from radosgw-admin"
( umask 077
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = us-east-1\n' "$access" "$secret" > "$CREDS.tmp"
  mv "$CREDS.tmp" "$CREDS" )
ENDPOINT=http://127.0.0.1:$RGW_PORT
cat > "$STATE/s3.env" <<EOF
PSSOCKETFTP_S3_ENDPOINT=$ENDPOINT
PSSOCKETFTP_S3_BUCKET=$BUCKET
PSSOCKETFTP_S3_REGION=us-east-1
PSSOCKETFTP_S3_CREDENTIALS=$CREDS
EOF

# PUT /bucket, signed with SigV4 by curl; the keys reach curl through its config on stdin, not its command line.
# radosgw wants x-amz-content-sha256, which curl 7.88 does not add by itself: the SHA-256 of the empty body.
code=$(printf 'user = "%s:%s"\n' "$access" "$secret" | curl -sS -K - -o "$STATE/log/create-bucket.xml" -w '%{http_code}' \
    --aws-sigv4 "aws:amz:us-east-1:s3" -X PUT "$ENDPOINT/$BUCKET" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
unset access secret info
case $code in
    200) log "bucket $BUCKET is there" ;;
    409) grep -q BucketAlreadyOwnedByYou "$STATE/log/create-bucket.xml" && log "bucket $BUCKET is there" \
             || die "creating bucket $BUCKET: HTTP 409 $(cat "$STATE/log/create-bucket.xml")" ;;
    *) die "creating bucket $BUCKET: HTTP $code $(cat "$STATE/log/create-bucket.xml")" ;;
esac

log "ready"
echo "endpoint:    $ENDPOINT  (path-style, region us-east-1)"
echo "bucket:      $BUCKET"
echo "credentials: $CREDS"
echo "env file:    $STATE/s3.env"
echo "stop with:   $(dirname "$0")/stop-ceph.sh $STATE [--wipe]"
