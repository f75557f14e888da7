#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# The HTTP server of tests/vm/pxe.sh and bench/fetch.sh: static files with Range
# (206), and on request a connection dropped after N bytes of a file (once), to
# test resuming. Logs one line per request: "GET PATH RANGE -> STATUS BYTES".
# With --mirror-dies, the top directory of the dropped file is a mirror that died: every
# later request under it gets 503, and no other file is dropped (tests/vm/pxe.sh's pxe-mirrors: two mirrors, a/ and b/).
# usage: pxe_httpd.py ROOT PORTFILE [--drop-after BYTES] [--drop-match SUBSTR] [--mirror-dies]
import argparse
import http.server
import os
import re
import socketserver
import sys
import threading

args = None
dropped = set()
dead = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def note(self, status, sent, rng):
        sys.stderr.write("GET %s %s -> %d %d\n" % (self.path, rng or "-", status, sent))
        sys.stderr.flush()

    def do_GET(self):
        path = os.path.normpath(self.path.split("?")[0]).lstrip("/")
        full = os.path.join(args.root, path)
        with lock:
            down = path.split("/")[0] in dead
        if down:
            body = b"mirror down\n"
            self.send_response(503)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.note(503, len(body), self.headers.get("Range"))
            return
        if path.startswith("..") or not os.path.isfile(full):
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.note(404, len(body), None)
            return
        size = os.path.getsize(full)
        rng = self.headers.get("Range")
        start, end = 0, size - 1
        m = re.match(r"bytes=(\d+)-(\d*)$", rng or "")
        if m:
            start = int(m.group(1))
            if m.group(2):
                end = min(int(m.group(2)), size - 1)
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.note(416, 0, rng)
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Connection", "close")
        self.end_headers()
        limit = end - start + 1
        drop = False
        with lock:
            if (args.drop_after and args.drop_match in path and path not in dropped
                    and not path.endswith(".sha256") and limit > args.drop_after
                    and not (args.mirror_dies and dead)):
                dropped.add(path)
                limit = args.drop_after
                drop = True
                if args.mirror_dies:
                    dead.add(path.split("/")[0])
        sent = 0
        with open(full, "rb") as f:
            f.seek(start)
            while sent < limit:
                chunk = f.read(min(262144, limit - sent))
                if not chunk:
                    break
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += len(chunk)
        self.note(206 if m else 200, sent, rng)
        if drop:
            sys.stderr.write("DROPPED %s after %d bytes\n" % (path, sent))
            sys.stderr.flush()
            self.wfile.flush()
            self.connection.shutdown(2)
        self.close_connection = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("portfile")
    ap.add_argument("--drop-after", type=int, default=0)
    ap.add_argument("--drop-match", default="")
    ap.add_argument("--mirror-dies", action="store_true")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    with open(args.portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(args.portfile + ".tmp", args.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
