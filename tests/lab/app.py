#!/usr/bin/python3
# The lab's stand-in for the application backend (RABS-Backend): serves
# GET /health with 200 while it runs.  NGINX on the same host proxies
# /health to it, so stopping this process turns the host's /health into 503.
#
# usage: app.py ADDRESS PORT HOSTNAME PIDFILE
import http.server
import json
import os
import signal
import sys


def main():
    addr, port, name, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            if self.path.split("?")[0] != "/health":
                self.send_error(404)
                return
            body = json.dumps({"status": "ok", "host": name}).encode() + b"\n"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    srv = http.server.ThreadingHTTPServer((addr, port), Handler)
    srv.daemon_threads = True
    tmp = pidfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, pidfile)

    def stop(signum, frame):
        try:
            os.unlink(pidfile)
        except OSError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever()


if __name__ == "__main__":
    main()
