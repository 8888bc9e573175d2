"""A real SMTP server on loopback for the outbox tests (aiosmtpd).

Every accepted message is stored as NNNN.eml in --dir (written to a temporary name first, so a
reader never sees half a message). With --reject "550 ..." every message is refused with that
reply instead. Prints READY once it listens; stops when its standard input closes or on SIGTERM.
"""

import argparse
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, directory, reject):
        self.directory = directory
        self.reject = reject
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return self.reject
        with self.lock:
            n = len([f for f in os.listdir(self.directory) if f.endswith(".eml")])
            path = os.path.join(self.directory, f"{n:04d}.eml")
            with open(path + ".partial", "wb") as out:
                out.write(envelope.original_content or envelope.content)
            os.rename(path + ".partial", path)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", default=None)
    args = parser.parse_args()
    controller = Controller(Store(args.dir, args.reject), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("READY", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
