#!/usr/bin/env python3
"""A stand-in for the Anthropic Messages API on loopback, for benchmarks that run the real Claude Code offline.

Usage: standin-messages-api.py PORT_FILE. Listens on a free port, writes it to PORT_FILE, and answers every
POST /v1/messages with "Hi there!" and small, fixed usage (streamed when asked), with a request-id header as the
real API sends; anything else gets 404. Runs until killed.
"""
import itertools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

calls = itertools.count(1)
USAGE = {"input_tokens": 1000, "output_tokens": 40, "cache_read_input_tokens": 300, "cache_creation_input_tokens": 20}


def event(name, data):
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.split("?")[0] != "/v1/messages":
            self.send_error(404)
            return
        call = next(calls)
        message = {"id": f"msg_bench_{call}", "type": "message", "role": "assistant",
                   "model": request.get("model", "claude-sonnet-4-5"), "content": [], "stop_reason": None,
                   "stop_sequence": None, "usage": dict(USAGE, output_tokens=1)}
        if request.get("stream"):
            body = "".join([
                event("message_start", {"type": "message_start", "message": message}),
                event("content_block_start", {"type": "content_block_start", "index": 0,
                                              "content_block": {"type": "text", "text": ""}}),
                event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": {"type": "text_delta", "text": "Hi there!"}}),
                event("content_block_stop", {"type": "content_block_stop", "index": 0}),
                event("message_delta", {"type": "message_delta",
                                        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                        "usage": {"output_tokens": USAGE["output_tokens"]}}),
                event("message_stop", {"type": "message_stop"}),
            ]).encode()
            content_type = "text/event-stream"
        else:
            message.update(content=[{"type": "text", "text": "Hi there!"}], stop_reason="end_turn", usage=USAGE)
            body = json.dumps(message).encode()
            content_type = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("request-id", f"req_bench_{call}")
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
__import__("os").replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
