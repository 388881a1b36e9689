#!/usr/bin/python3
"""Servers an attacker runs, for the testbed's C2 scenarios: they speak just enough of a mail
protocol to look like one on the wire, and break its rules where an implant's operator would.

    ip netns exec pe2e-server python3 fake_servers.py ADDR

- ADDR:25, SMTP that accepts STARTTLS ("220 Ready") and then carries on in cleartext: a session
  that a monitor trusting STARTTLS stops reading, while commands and data keep flowing.
Runs until killed (the testbed kills every process of its namespaces when it goes down)."""
import socketserver
import sys


class CleartextStarttlsSmtp(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 relay.c2.example ESMTP")
        in_data = False
        for raw in self.rfile:
            line = raw.decode(errors="replace").rstrip("\r\n")
            if in_data:
                if line == ".":
                    in_data = False
                    self.reply("250 2.0.0 queued")
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-relay.c2.example\r\n250-PIPELINING\r\n250 STARTTLS")
            elif verb == "STARTTLS":
                self.reply("220 2.0.0 Ready to start TLS")  # ... and no TLS follows
            elif verb == "DATA":
                in_data = True
                self.reply("354 go ahead")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("250 2.0.0 ok")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    addr = sys.argv[1]
    with Server((addr, 25), CleartextStarttlsSmtp) as smtp:
        smtp.serve_forever()


if __name__ == "__main__":
    main()
