#!/usr/bin/env python3
"""A stand-in for ECS's task metadata endpoint, on loopback, for metadata.sh.

usage: ecs_server.py CONTAINER.json TASK.json PORT_FILE

Serves CONTAINER.json (the recorded format of ${ECS_CONTAINER_METADATA_URI_V4})
for GET /v4/ID, TASK.json (${ECS_CONTAINER_METADATA_URI_V4}/task) for
GET /v4/ID/task, and misbehaves on request by the path's first element:
/chunked/v4/ID (chunked transfer encoding), /slow/v4/ID (never answers),
/missing/v4/ID (404), /garbage/v4/ID (not HTTP), /late/v4/ID (answers
after 0.7 s). Writes its port to
PORT_FILE once it listens; runs until killed.
"""
import http.server
import os
import socketserver
import sys
import time

BODY = open(sys.argv[1], 'rb').read()
TASK = open(sys.argv[2], 'rb').read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        mode = self.path.split('/')[1]
        if mode == 'slow':
            time.sleep(60)
            return
        if mode == 'late':
            time.sleep(0.7)
        if mode == 'garbage':
            self.wfile.write(b'hello\r\n\r\n')
            self.close_connection = True
            return
        if mode == 'missing':
            self.send_response(404)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        body = TASK if self.path.endswith('/task') else BODY
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        if mode == 'chunked':
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            for off in range(0, len(body), 300):
                part = body[off:off + 300]
                self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
                self.wfile.flush()
                time.sleep(0.01)
            self.wfile.write(b'0\r\n\r\n')
        else:
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(('127.0.0.1', 0), Handler)
with open(sys.argv[3] + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
os.replace(sys.argv[3] + '.tmp', sys.argv[3])
srv.serve_forever()
