"""python3 workloads for pdig's transparency test: threads, subprocess, a
socket server and client on loopback. The output depends on nothing but the
program, so native and traced runs must print the same."""
import socket
import subprocess
import sys
import threading


def threads():
    results = [0] * 8
    lock = threading.Lock()
    total = [0]

    def work(i):
        s = sum(range(i * 10000))
        with lock:
            total[0] += 1
        results[i] = s

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("threads", total[0], sum(results))


def subprocs():
    out = subprocess.run(["sh", "-c", "echo from child; exit 3"], capture_output=True, text=True)
    print("subprocess", out.returncode, out.stdout.strip())
    p = subprocess.Popen([sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    o, _ = p.communicate("piped text")
    print("popen", p.returncode, o.strip())


def sockets():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]

    def serve():
        for _ in range(3):
            c, _ = srv.accept()
            with c:
                data = b""
                while not data.endswith(b"\n"):
                    d = c.recv(100)
                    if not d:
                        break
                    data += d
                c.sendall(b"echo " + data)

    t = threading.Thread(target=serve)
    t.start()
    for i in range(3):
        with socket.create_connection(("127.0.0.1", port)) as c:
            c.sendall(b"msg %d\n" % i)
            resp = b""
            while not resp.endswith(b"\n"):
                d = c.recv(100)
                if not d:
                    break
                resp += d
            print("client got", resp.decode().strip())
    t.join()
    srv.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v.sendto(b"datagram", u.getsockname())
    print("udp", u.recvfrom(100)[0].decode())


{"threads": threads, "subprocess": subprocs, "sockets": sockets}[sys.argv[1]]()
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
