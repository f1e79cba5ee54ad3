"""A tiny SMTP server on 127.0.0.1 for tests: it answers the real smtplib client, refuses
the first ``failures`` messages with ``refusal`` (a transient 451 unless told otherwise), then
accepts and records them."""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    failures: int = 0
    refusal: str = "451 try again later"
    attempts: int = 0
    delivered: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SMTPHandler(socketserver.StreamRequestHandler):
    server: "FakeSMTPServer"

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 fake-smtp ready")
        while True:
            line = self.rfile.readline().decode(errors="replace").strip()
            if not line:
                return
            command = line.split(" ", 1)[0].upper()
            if command in ("EHLO", "HELO"):
                self.reply("250 fake-smtp")
            elif command in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go ahead")
                self.receive_message()
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def receive_message(self) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line.decode(errors="replace"))
        box = self.server.mailbox
        with box.lock:
            box.attempts += 1
            if box.attempts <= box.failures:
                self.reply(box.refusal)
                return
            box.delivered.append("".join(lines))
        self.reply("250 queued")


class FakeSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.mailbox = mailbox

    @property
    def port(self) -> int:
        return self.server_address[1]
