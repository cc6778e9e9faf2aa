# A Python web server on loopback under a bounded load (50 requests from
# 5 threads), then stopped by its parent. No alert.
# needs: python3
run() {
	mkdir -p www && echo hello >www/index.html
	"$PY" -m http.server 0 --bind 127.0.0.1 --directory www >server.log 2>&1 &
	srv=$!
	"$PY" -c 'import re, sys, threading, time, urllib.request
port = None
for _ in range(200):
    m = re.search(r"port (\d+)", open("server.log").read())
    if m:
        port = int(m.group(1)); break
    time.sleep(0.05)
if port is None:
    sys.exit("the server did not start")
def load():
    for _ in range(10):
        urllib.request.urlopen("http://127.0.0.1:%d/index.html" % port).read()
ts = [threading.Thread(target=load) for _ in range(5)]
[t.start() for t in ts]; [t.join() for t in ts]'
	rc=$?
	kill -TERM $srv
	wait $srv
	return $rc
}
