#!/usr/bin/env python3
"""Drive a QEMU guest's serial console as a user at a terminal would: wait for text, type keys.

usage: console_keys.py LOG SCRIPT -- QEMU-ARGS...

QEMU gets its serial port on a socket this script listens on (QEMU waits for it, so no
output is lost); everything the guest prints goes to LOG as it came. SCRIPT has one step a
line (blank lines and lines starting with # are skipped):
  expect SECONDS TEXT   wait up to SECONDS for TEXT (a Python regex) in the console, read
                        with ANSI escape sequences and NULs removed, after the last match
  send KEYS             type KEYS: <down> <up> <enter> <esc> <tab> <space> or plain text
  type KEYS             the same, one key each 0.2 s (a UART without a FIFO drops bursts)
  press N SECONDS KEYS TEXT
                        type KEYS (no spaces) and wait up to SECONDS for TEXT; up to N times
                        (firmware and GRUB both read the serial port: a key can get lost)
  sleep SECONDS
  exit SECONDS          wait up to SECONDS for QEMU to exit (the guest rebooted/powered off)
Each step is printed ("step N ok: ..."); the exit status is 0 when every step passed, else 1
with the failing step, its reason and the console's last lines. QEMU is killed by its PID.
"""
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

KEYS = {"down": "\x1b[B", "up": "\x1b[A", "right": "\x1b[C", "left": "\x1b[D",
        "enter": "\r", "esc": "\x1b", "tab": "\t", "space": " "}
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Za-z0-9]|[A-Za-z=>])|\x00")


def keys(text):
    out, pos = [], 0
    for m in re.finditer(r"<([a-z]+)>", text):
        out.append(text[pos:m.start()])
        out.append(KEYS.get(m.group(1), m.group(0)))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out).encode()


class Console:
    def __init__(self, conn, log):
        self.conn, self.log = conn, log
        self.raw = b""
        self.seen = 0  # offset in the cleaned text after the last match

    def text(self):
        return ANSI.sub("", self.raw.decode("latin-1"))

    def pump(self, timeout):
        r, _, _ = select.select([self.conn], [], [], timeout)
        if not r:
            return True
        data = self.conn.recv(65536)
        if not data:
            return False
        self.raw += data
        self.log.write(data)
        self.log.flush()
        return True

    def expect(self, seconds, pattern, qemu):
        rx = re.compile(pattern)
        end = time.monotonic() + seconds
        while True:
            t = self.text()
            m = rx.search(t, self.seen)
            if m:
                self.seen = m.end()
                return None
            left = end - time.monotonic()
            if left <= 0:
                return "timed out after %s s" % seconds
            if not self.pump(min(left, 0.2)) or qemu.poll() is not None:
                # read what is left, then one last look
                while self.pump(0.05):
                    if qemu.poll() is not None and not select.select([self.conn], [], [], 0)[0]:
                        break
                m = rx.search(self.text(), self.seen)
                if m:
                    self.seen = m.end()
                    return None
                return "QEMU exited (status %s)" % qemu.poll()


def main(argv):
    if len(argv) < 4 or argv[3] != "--":
        sys.stderr.write("usage: console_keys.py LOG SCRIPT -- QEMU-ARGS...\n")
        return 2
    logpath, script = argv[1], argv[2]
    steps = []
    with open(script) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word not in ("expect", "send", "type", "press", "sleep", "exit"):
                sys.stderr.write("%s:%d: unknown step %r\n" % (script, n, word))
                return 2
            steps.append((word, rest))
    sockdir = tempfile.mkdtemp(prefix="console_keys.")
    sock = os.path.join(sockdir, "serial")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock)
    srv.listen(1)
    qemu = subprocess.Popen(argv[4:] + ["-chardev", "socket,id=ser0,path=%s" % sock,
                                        "-serial", "chardev:ser0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(logpath + ".qemu", "wb"))
    srv.settimeout(60)
    rc = 0
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        sys.stderr.write("QEMU did not connect to the serial socket\n")
        qemu.kill()
        qemu.wait()
        return 1
    finally:
        srv.close()
        os.unlink(sock)
        os.rmdir(sockdir)
    with open(logpath, "wb") as log:
        con = Console(conn, log)
        t0 = time.monotonic()
        for i, (word, rest) in enumerate(steps, 1):
            err = None
            if word == "expect":
                secs, _, pattern = rest.partition(" ")
                err = con.expect(float(secs), pattern, qemu)
            elif word == "send":
                conn.sendall(keys(rest))
            elif word == "type":
                for k in re.findall(r"<[a-z]+>|.", rest):
                    conn.sendall(keys(k))
                    end = time.monotonic() + 0.2
                    while time.monotonic() < end and con.pump(end - time.monotonic()):
                        pass
            elif word == "press":
                n, secs, key, pattern = rest.split(" ", 3)
                for _ in range(int(n)):
                    conn.sendall(keys(key))
                    err = con.expect(float(secs), pattern, qemu)
                    if not err or "QEMU exited" in err:
                        break
            elif word == "sleep":
                end = time.monotonic() + float(rest)
                while time.monotonic() < end and con.pump(end - time.monotonic()):
                    pass
            elif word == "exit":
                end = time.monotonic() + float(rest)
                while qemu.poll() is None and time.monotonic() < end:
                    con.pump(0.2)
                if qemu.poll() is None:
                    err = "QEMU still running after %s s" % rest
            if err:
                tail = con.text()[-600:].replace("\r", "")
                print("step %d failed at %.0f s: %s %s: %s\n--- console tail ---\n%s"
                      % (i, time.monotonic() - t0, word, rest, err, tail))
                rc = 1
                break
            print("step %d ok at %.0f s: %s %s" % (i, time.monotonic() - t0, word, rest))
            sys.stdout.flush()
        if qemu.poll() is None:
            qemu.kill()
        qemu.wait()
        while con.pump(0.05):
            if not select.select([conn], [], [], 0)[0]:
                break
        conn.close()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
