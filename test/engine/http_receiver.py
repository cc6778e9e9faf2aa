#!/usr/bin/env python3
"""An alert receiver that checks each POST as falcosidekick's handler does.

usage: http_receiver.py PORT_FILE LOG [--fail-first N] [--delay SECONDS]
                        [--status CODE] [--tls CERT KEY [--client-ca CA]]
                        [--gzip] [--answer TEXT]

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening).
Each request is one line in LOG: "ok RULE" for a payload falcosidekick
accepts (answered 200), "bad WHY" for one it would reject (answered 400),
"fail" for the first N requests answered CODE (500) whatever they hold.
--delay makes every answer wait that long (a slow receiver). --tls serves
HTTPS with that certificate and key; --client-ca also demands a client
certificate signed by CA (mutual TLS). A body with "Content-Encoding: gzip"
is decompressed first (a broken one is "bad"); --gzip makes a body that is
not gzipped "bad". --answer is the body of each 200 answer.
"""
import gzip
import argparse
import json
import os
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRIORITIES = {'emergency', 'alert', 'critical', 'error', 'warning', 'notice',
              'informational', 'debug'}
RFC3339 = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$')


def check(body, ctype):
    """None when falcosidekick would take the payload, else why not."""
    if not ctype.startswith('application/json'):
        return 'content-type %r' % ctype
    try:
        p = json.loads(body)
    except ValueError as e:
        return 'not JSON: %s' % e
    if not isinstance(p, dict):
        return 'not an object'
    of = p.get('output_fields')
    if not isinstance(of, dict) or not of:
        return 'no output_fields'
    if str(p.get('priority', '')).lower() not in PRIORITIES:
        return 'priority %r' % p.get('priority')
    if not isinstance(p.get('rule'), str) or not p['rule']:
        return 'no rule'
    if not isinstance(p.get('time'), str) or not RFC3339.match(p['time']):
        return 'time %r' % p.get('time')
    if not isinstance(p.get('output'), str) or not p['output']:
        return 'no output'
    if not isinstance(p.get('tags', []), list) or not isinstance(p.get('hostname', ''), str):
        return 'tags or hostname'
    if p.get('source', 'syscall') not in ('syscall', 'internal'):
        return 'source %r' % p.get('source')
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('port_file')
    ap.add_argument('log')
    ap.add_argument('--fail-first', type=int, default=0)
    ap.add_argument('--delay', type=float, default=0)
    ap.add_argument('--status', type=int, default=500)
    ap.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'))
    ap.add_argument('--client-ca')
    ap.add_argument('--gzip', action='store_true')
    ap.add_argument('--answer', default='')
    a = ap.parse_args()
    lock = threading.Lock()
    state = {'n': 0}
    log = open(a.log, 'a', buffering=1)

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            if a.delay:
                time.sleep(a.delay)
            with lock:
                state['n'] += 1
                failing = state['n'] <= a.fail_first
            if failing:
                code, line = a.status, 'fail'
            else:
                why = None
                if self.headers.get('Content-Encoding', '') == 'gzip':
                    try:
                        body = gzip.decompress(body)
                    except (OSError, EOFError) as e:
                        why = 'gzip: %s' % e
                elif a.gzip:
                    why = 'not gzipped'
                why = why or check(body, self.headers.get('Content-Type', ''))
                code = 400 if why else 200
                line = 'bad ' + why if why else 'ok ' + json.loads(body)['rule']
            with lock:
                log.write(line + '\n')
            answer = a.answer.encode() if code == 200 else b''
            self.send_response(code)
            self.send_header('Content-Length', str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    srv = ThreadingHTTPServer(('127.0.0.1', 0), H)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*a.tls)
        if a.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.client_ca)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(a.port_file + '.tmp', 'w') as f:
        f.write(str(srv.server_address[1]))
    os.replace(a.port_file + '.tmp', a.port_file)
    srv.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
