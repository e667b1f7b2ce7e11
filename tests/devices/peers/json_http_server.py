#!/usr/bin/python3
# A device answering JSON over HTTP for the tests (Python's own http.server): each path (with its
# query) answers the body given for it; a path ending in "*" answers every path it begins; anything
# else 404. Each request is printed as "GET <path>". Prints "ready PORT" once it listens on 127.0.0.1.
# Usage: json_http_server.py '{"/status": {"total_power": 812}, "/rpc/EM.GetStatus?id=0": {...}}'
import http.server
import json
import sys

answers = {path: json.dumps(body) for path, body in json.loads(sys.argv[1]).items()}

class Device(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print(f"GET {self.path}", flush=True)
        body = answers.get(self.path)
        if body is None:
            body = next((b for p, b in answers.items() if p.endswith("*") and self.path.startswith(p[:-1])), None)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write((body if body is not None else '{"error":"not found"}').encode())

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Device)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
