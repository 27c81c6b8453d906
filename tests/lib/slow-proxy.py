#!/usr/bin/python3
"""A TCP proxy on 127.0.0.1 for tests: forwards to TARGET with a bandwidth limit on what goes
to the clients, and can stall or cut its connections on request.

    slow-proxy.py --target HOST:PORT [--port 0] [--port-file F] [--control F] [--stats F]
                  [--log F] [--rate BYTES-PER-SECOND]

The control file is a list of "key=value" commands, applied in order as lines are appended
(checked every 20 ms; a file rewritten shorter is read again from its start):
  rate=N          limit the bytes sent to clients, all connections together (0: none)
  stall=1|0       stop/resume moving bytes in both directions (connections stay open;
                  new ones are accepted and stall too)
  stall_after=N   stall once N bytes in all have been sent to clients (exactly N go out),
                  counted from the proxy's start (0: off; stall=0 alone then stalls again)
  reset=ANY       close every open connection now, with a TCP RST
The stats file is rewritten (atomically) while something changes:
  bytes_down= bytes_up= connections= active= stalled= rate=
Bytes are counted when handed to the kernel; the client socket's send buffer is kept small
(64 KiB) so what the client can still read after a stall is bounded.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time

CHUNK = 64 * 1024


class State:
    def __init__(self, rate):
        self.lock = threading.Lock()
        self.rate = rate
        self.stalled = False
        self.stall_after = 0
        self.bytes_down = 0
        self.bytes_up = 0
        self.connections = 0
        self.active = set()
        self.next_send = 0.0  # pacing clock for the rate limit
        self.generation = 0   # bumped on every change, for the stats writer

    def command(self, key, value):
        victims = []
        with self.lock:
            if key == "rate":
                self.rate = int(value or 0)
                self.next_send = 0.0
            elif key == "stall":
                self.stalled = value not in ("0", "", "false", "no")
            elif key == "stall_after":
                self.stall_after = int(value or 0)
            elif key == "reset":
                victims = list(self.active)
            else:
                return False
            self.generation += 1
        for c in victims:
            c.abort()
        return True


class Conn:
    def __init__(self, state, client, upstream, log):
        self.state, self.client, self.upstream, self.log = state, client, upstream, log
        self.closed = False
        self.lock = threading.Lock()
        self.down = self.up = 0
        self.done = 0

    def abort(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.client, self.upstream):
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def wait_unstalled(self):
        st = self.state
        while st.stalled and not self.closed:
            time.sleep(0.02)
        return not self.closed

    def pump(self, src, dst, downstream):
        st = self.state
        try:
            while True:
                if not self.wait_unstalled():
                    return
                want = CHUNK
                if downstream:
                    with st.lock:
                        if st.rate > 0:
                            want = max(1024, min(CHUNK, st.rate // 20))
                        if st.stall_after > 0:
                            left = st.stall_after - st.bytes_down
                            if left <= 0:
                                st.stalled = True
                                st.generation += 1
                                continue
                            want = min(want, left)
                data = src.recv(want)
                if not data:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                view = memoryview(data)
                while len(view):
                    if not self.wait_unstalled():
                        return
                    n = len(view)
                    if downstream:
                        with st.lock:
                            if st.stall_after > 0:
                                left = st.stall_after - st.bytes_down
                                if left <= 0:
                                    st.stalled = True
                                    st.generation += 1
                                    continue
                                n = min(n, left)
                            delay = 0.0
                            if st.rate > 0:
                                now = time.monotonic()
                                start = max(now, st.next_send)
                                st.next_send = start + n / st.rate
                                delay = start - now
                        if delay > 0:
                            time.sleep(delay)
                        if not self.wait_unstalled():
                            return
                    sent = dst.send(view[:n])
                    view = view[sent:]
                    with st.lock:
                        if downstream:
                            st.bytes_down += sent
                            self.down += sent
                        else:
                            st.bytes_up += sent
                            self.up += sent
                        st.generation += 1
        except OSError:
            self.abort()
        finally:
            self.finish()

    def finish(self):
        with self.lock:
            self.done += 1
            last = self.done == 2
        if not last:
            return
        st = self.state
        with st.lock:
            st.active.discard(self)
            st.generation += 1
        for s in (self.client, self.upstream):
            try:
                s.close()
            except OSError:
                pass
        self.log("close down=%d up=%d%s" % (self.down, self.up, " (reset)" if self.closed else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--control")
    ap.add_argument("--stats")
    ap.add_argument("--log")
    ap.add_argument("--rate", type=int, default=0)
    a = ap.parse_args()
    host, _, port = a.target.rpartition(":")
    target = (host or "127.0.0.1", int(port))
    st = State(a.rate)
    logf = open(a.log, "a") if a.log else None
    log_lock = threading.Lock()

    def log(msg):
        if logf:
            with log_lock:
                logf.write("%.3f %s\n" % (time.time(), msg))
                logf.flush()

    ctl = {"offset": 0, "ino": None}

    def read_control():
        """Applies the commands appended since the last call."""
        try:
            with open(a.control, "rb") as f:
                s = os.fstat(f.fileno())
                if s.st_ino != ctl["ino"] or s.st_size < ctl["offset"]:
                    ctl["ino"], ctl["offset"] = s.st_ino, 0
                f.seek(ctl["offset"])
                data = f.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1
        ctl["offset"] += end
        for line in data[:end].decode("utf-8", "replace").splitlines():
            k, sep, v = line.strip().partition("=")
            if sep and st.command(k.strip(), v.strip()):
                log("control: %s=%s" % (k.strip(), v.strip()))

    def control_loop():
        written = -1
        while True:
            if a.control:
                read_control()
            if a.stats and st.generation != written:
                with st.lock:
                    written = st.generation
                    text = ("bytes_down=%d\nbytes_up=%d\nconnections=%d\nactive=%d\nstalled=%d\nrate=%d\n" %
                            (st.bytes_down, st.bytes_up, st.connections, len(st.active), int(st.stalled), st.rate))
                tmp = a.stats + ".tmp"
                with open(tmp, "w") as f:
                    f.write(text)
                os.replace(tmp, a.stats)
            time.sleep(0.02)

    if a.control:
        read_control()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", a.port))
    lsock.listen(64)
    threading.Thread(target=control_loop, daemon=True).start()
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % lsock.getsockname()[1])
        os.replace(a.port_file + ".tmp", a.port_file)
    else:
        print(lsock.getsockname()[1], flush=True)
    while True:
        client, peer = lsock.accept()
        try:
            upstream = socket.create_connection(target, timeout=10)
            upstream.settimeout(None)
        except OSError as e:
            log("connect to %s:%d failed: %s" % (target[0], target[1], e))
            client.close()
            continue
        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c = Conn(st, client, upstream, log)
        with st.lock:
            st.connections += 1
            st.active.add(c)
            st.generation += 1
        log("open from %s:%d" % peer)
        threading.Thread(target=c.pump, args=(upstream, client, True), daemon=True).start()
        threading.Thread(target=c.pump, args=(client, upstream, False), daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        pass
