"""Python ftplib client for the side-by-side bench (Invoke-SideBySide.ps1); also starts pyftpdlib.

Each client mode connects and logs in anonymously, times only its work (not the interpreter start or the
login), and prints one JSON line: {"seconds": ..., ...}. Only 127.0.0.1 is ever used.

  ftp_peer.py serve-pyftpdlib PORT ROOT
  ftp_peer.py small-up PORT REMOTE_DIR LOCAL_DIR      storbinary each file of LOCAL_DIR, one session
  ftp_peer.py small-down PORT REMOTE_DIR LOCAL_DIR    nlst, then retrbinary each file, one session
  ftp_peer.py list PORT REMOTE_DIR                    retrlines('LIST'), prints the line count
  ftp_peer.py sessions PORT REMOTE_DIR LOCAL_DIR      one thread and one session per file, all at once
"""
import ftplib
import json
import os
import sys
import threading
import time

HOST = "127.0.0.1"


def connect(port, tries=1):
    # The sessions mode opens many connections at once; vsftpd accepts with a backlog of 32, and a connect
    # that got lost there once hung the run, so each session tries up to three times, 15 s each.
    for attempt in range(tries):
        ftp = ftplib.FTP()
        try:
            ftp.connect(HOST, port, timeout=15 if tries > 1 else 120)
            ftp.login()  # anonymous
            ftp.sock.settimeout(120)
            return ftp
        except (OSError, EOFError, ftplib.Error):
            ftp.close()
            if attempt == tries - 1:
                raise


def small_up(port, remote, local):
    names = sorted(os.listdir(local))
    ftp = connect(port)
    ftp.cwd(remote)
    start = time.perf_counter()
    for name in names:
        with open(os.path.join(local, name), "rb") as f:
            ftp.storbinary("STOR " + name, f)
    seconds = time.perf_counter() - start
    ftp.quit()
    return {"seconds": seconds, "files": len(names)}


def small_down(port, remote, local):
    ftp = connect(port)
    ftp.cwd(remote)
    start = time.perf_counter()
    names = [n.rsplit("/", 1)[-1] for n in ftp.nlst()]
    for name in names:
        with open(os.path.join(local, name), "wb") as f:
            ftp.retrbinary("RETR " + name, f.write)
    seconds = time.perf_counter() - start
    ftp.quit()
    return {"seconds": seconds, "files": len(names)}


def listing(port, remote):
    ftp = connect(port)
    lines = []
    start = time.perf_counter()
    ftp.retrlines("LIST " + remote, lines.append)
    seconds = time.perf_counter() - start
    ftp.quit()
    return {"seconds": seconds, "entries": len(lines)}


def sessions(port, remote, local):
    names = sorted(os.listdir(local))
    barrier = threading.Barrier(len(names) + 1, timeout=180)
    results = [None] * len(names)

    def one(i, name):
        try:
            ftp = connect(port, tries=3)
            ftp.cwd(remote)
            barrier.wait()
            t0 = time.perf_counter()
            with open(os.path.join(local, name), "rb") as f:
                ftp.storbinary("STOR " + name, f)
            t1 = time.perf_counter()
            ftp.quit()
            results[i] = (t0, t1)
        except Exception as e:  # reported below as a failed session
            results[i] = repr(e)
            try:
                barrier.abort()
            except Exception:
                pass

    launch = time.perf_counter()
    threads = [threading.Thread(target=one, args=(i, n)) for i, n in enumerate(names)]
    for t in threads:
        t.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass  # a session failed or hung: reported below
    for t in threads:
        t.join(180)
    done = time.perf_counter()
    failed = [r for r in results if not isinstance(r, tuple)]
    if failed:
        causes = [r for r in failed if r is not None and "BrokenBarrier" not in r] or failed
        raise RuntimeError(f"{len(failed)} of {len(names)} sessions failed or hung, e.g. {causes[0]}")
    first = min(r[0] for r in results)
    last = max(r[1] for r in results)
    return {"seconds": done - launch, "transferSeconds": last - first, "files": len(names)}


def serve(port, root):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    import logging

    logging.basicConfig(level=logging.WARNING)
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(root, perm="elradfmwMT")
    handler = FTPHandler
    handler.authorizer = authorizer
    server = FTPServer((HOST, port), handler)
    server.max_cons = 1024
    server.max_cons_per_ip = 0
    server.serve_forever()


def main():
    mode = sys.argv[1]
    a = sys.argv[2:]
    if mode == "serve-pyftpdlib":
        serve(int(a[0]), a[1])
        return
    if mode == "small-up":
        r = small_up(int(a[0]), a[1], a[2])
    elif mode == "small-down":
        r = small_down(int(a[0]), a[1], a[2])
    elif mode == "list":
        r = listing(int(a[0]), a[1])
    elif mode == "sessions":
        r = sessions(int(a[0]), a[1], a[2])
    else:
        raise SystemExit("unknown mode " + mode)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
