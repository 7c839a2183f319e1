#!/opt/standin/bin/python
"""Mailpit stand-in (host network, loopback only): SMTP on 127.0.0.1:1025 keeping every message in memory; on :8025 `GET /readyz` and
`GET /api/v1/messages` in Mailpit's shape (total, messages[].From/To/Subject); `mailpit readyz`
asks the running one."""
import email, email.policy, json, signal, sys, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from aiosmtpd.controller import Controller

MESSAGES = []

class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        MESSAGES.append({"ID": str(len(MESSAGES) + 1), "From": {"Address": envelope.mail_from},
                         "To": [{"Address": a} for a in envelope.rcpt_tos],
                         "Subject": str(msg.get("Subject", ""))})
        return "250 Message accepted for delivery"

class Web(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/readyz":
            body = b"ok"
        elif self.path.startswith("/api/v1/messages"):
            body = json.dumps({"total": len(MESSAGES), "messages": MESSAGES[::-1]}).encode()
        else:
            self.send_error(404); return
        self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

if sys.argv[1:] == ["readyz"]:
    urllib.request.urlopen("http://127.0.0.1:8025/readyz", timeout=2)
    sys.exit(0)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 ignores it otherwise
smtp = Controller(Handler(), hostname="127.0.0.1", port=1025)
smtp.start()
print("mailpit stand-in: SMTP :1025, HTTP :8025", flush=True)
ThreadingHTTPServer(("127.0.0.1", 8025), Web).serve_forever()
