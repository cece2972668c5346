#!/usr/bin/python3
"""Benchmark jwt-proxy against nginx, HAProxy, the seed's aiohttp design and the direct path.

Started by bench/run, which installs the tools and builds the jar. Everything runs on 127.0.0.1
and stops by itself. Results: a Markdown table on stdout and in target/bench/results-<time>.md,
raw measurements in the matching .jsonl.
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = ROOT / "target" / "bench"
# The seed's published test secret: a benchmark key, not a production one.
SECRET = "a9ddbcaba8c0ac1a0a812dc0c2f08514b23f2db0a68343cb8199ebb38a6d91e4ebfb378e22ad39c2d01d0b4ec9c34aa91056862ddace3fbbd6852ee60c36acbf"
FIXED, ECHO = 9001, 9002
# name: (port for small requests -> fixed upstream, port for bodies -> echo upstream)
TARGETS = {
    "direct": (FIXED, ECHO),
    "nginx": (9101, 9111),
    "haproxy": (9102, 9112),
    "aiohttp": (9103, 9113),
    # The jar on its default engine (ENGINE=core), on its servlet engine, and the WAR in Tomcat 11.
    "jwt-proxy": (9104, 9114),
    "jwt-proxy-servlet": (9106, 9116),
    "jwt-proxy-war": (9107, 9117),
    # The same launch with METRICS=off: what the metrics cost.
    "jwt-proxy-metrics-off": (9105, 9115),
    # The same launch tracing every request to a local OTLP receiver: what traces cost.
    "jwt-proxy-traced": (9108, 9118),
    # …and tracing one request in ten (OTEL_TRACES_SAMPLER=parentbased_traceidratio, 0.1).
    "jwt-proxy-traced-10pct": (9100, 9110),
    # Another build's jar (--baseline-jar), launched the same way: before and after a change, in one run.
    "jwt-proxy-baseline": (9109, 9119),
}
# An OTLP/HTTP receiver that counts spans (io.jwtproxy.bench.BenchPeers otlp-collector).
OTLP = 9006
JWT_PROXY_JARS = {"jwt-proxy": {}, "jwt-proxy-servlet": {"ENGINE": "servlet"}, "jwt-proxy-metrics-off": {"METRICS": "off"},
                  "jwt-proxy-traced": {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{OTLP}"},
                  "jwt-proxy-traced-10pct": {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{OTLP}",
                                             "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
                  "jwt-proxy-baseline": {}}
# Targets run only when named in --only.
OPTIONAL_TARGETS = ["jwt-proxy-metrics-off", "jwt-proxy-traced", "jwt-proxy-traced-10pct", "jwt-proxy-baseline"]
LOADS = ["small-32", "small-256", "duplex", "upload", "idle-keepalive"]
# Idle keep-alive connections held open after one request each, for the resident memory they cost.
IDLE_KEEPALIVE = 1500
# WebSocket echo (1 KiB and 1 MiB messages), SSE delivery delay, and 2,000 idle WebSockets, against
# the tests' WebSocket upstream and an SSE upstream (bench peers from the test classpath).
WS_UP, SSE_UP = 9003, 9004
# name: (port for WebSockets -> WebSocket upstream, port for SSE -> SSE upstream)
STREAM_TARGETS = {
    "direct": (WS_UP, SSE_UP),
    "nginx": (9121, 9131),
    "jwt-proxy": (9124, 9134),
}
STREAM_LOADS = ["ws-1k", "ws-1m", "sse", "ws-idle"]
# HTTP/2 with many streams on a few connections (h2load, h2c with prior knowledge, to the fixed
# answer), and new TLS 1.3 connections per second (one request each, no session resumption).
H2_FIXED = 9005
# name: (h2c port, TLS port)
PROTOCOL_TARGETS = {
    "direct": (H2_FIXED, None),
    "nginx": (9141, 9151),
    "jwt-proxy": (9104, 9154),
    "jwt-proxy-servlet": (9106, None),
}
PROTOCOL_LOADS = ["h2-streams", "tls-new"]
H2_CONNECTIONS, H2_STREAMS = 4, 32
TLS_PROCESSES, TLS_THREADS = 4, 4
# messages of each echo round and its WebSockets (each with one message in flight)
WS_ROUNDS = {"ws-1k": (1024, 8), "ws-1m": (1 << 20, 2)}
SSE_EVENTS, SSE_PAUSE_MS, IDLE_WEBSOCKETS = 20, 100, 2000
TICKS = os.sysconf("SC_CLK_TCK")


class Service:
    """A process started for the benchmark, killed at the end."""

    def __init__(self, name, command, env=None, log=None):
        self.name = name
        self.started = time.time()
        out = open(WORK / f"{name}.log", "w") if log is None else log
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=out,
                                        stderr=subprocess.STDOUT, cwd=WORK, start_new_session=True)

    def pids(self):
        """The process and its children (nginx's workers)."""
        pids = [self.process.pid]
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        return pids + [int(p) for p in children]

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {timeout} s; see {WORK}/*.log")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            pass
    return total / TICKS


def status_kib(pids, field):
    """A memory field of /proc/<pid>/status (VmRSS, VmHWM), summed over the processes."""
    total = 0
    for pid in pids:
        try:
            for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def peak_rss_kib(pids):
    return status_kib(pids, "VmHWM")


def switches(pids):
    """Context switches, voluntary and not, of every thread of the processes so far."""
    total = 0
    for pid in pids:
        for status in pathlib.Path(f"/proc/{pid}/task").glob("*/status"):
            try:
                for line in status.read_text().splitlines():
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
    return total


def idle_keepalive(port, count, pids):
    """Opens count connections, sends one keep-alive request on each, holds them all and returns the RSS then."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 1024)), hard))
    rss0 = status_kib(pids, "VmRSS")
    sockets, answered = [], 0
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /idle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sockets.append(s)
        for s in sockets:
            head = s.recv(65536)
            answered += head.startswith(b"HTTP/1.1 200")
        time.sleep(2)
        rss = status_kib(pids, "VmRSS")
    finally:
        for s in sockets:
            s.close()
    return {"connections": count, "answered": answered, "rss_mb": rss / 1024, "rss_before_mb": rss0 / 1024,
            "errors": count - answered}


def tomcat_service(name, port, upstream, java):
    """The WAR as ROOT of a fresh Tomcat 11 base (its defaults, but keep-alive without a request limit, as nginx's is raised)."""
    home = next((ROOT / "target" / "containers").glob("apache-tomcat-11*"))
    base = WORK / name
    subprocess.run(["rm", "-rf", str(base)], check=True)
    for sub in ["logs", "temp", "work", "webapps"]:
        (base / sub).mkdir(parents=True)
    subprocess.run(["cp", "-r", str(home / "conf"), str(base / "conf")], check=True)
    server = (base / "conf" / "server.xml").read_text()
    server = server.replace('port="8005"', 'port="-1"').replace('<Connector port="8080" protocol="HTTP/1.1"',
                                                               f'<Connector port="{port}" address="127.0.0.1" maxKeepAliveRequests="-1" protocol="HTTP/1.1"')
    (base / "conf" / "server.xml").write_text(server)
    with open(base / "conf" / "logging.properties", "a") as f:
        f.write("\nio.jwtproxy.access.level = WARNING\n")
    subprocess.run(["cp", str(ROOT / "target" / "jwt-proxy.war"), str(base / "webapps" / "ROOT.war")], check=True)
    env = {"CATALINA_HOME": str(home), "CATALINA_BASE": str(base),
           "CATALINA_OPTS": f"-Xmx128m -XX:+UseSerialGC -DUPSTREAM_URL=http://127.0.0.1:{upstream} -DJWT_SECRET={SECRET}",
           "MALLOC_ARENA_MAX": "2"}
    if os.path.isabs(java):
        env["JAVA_HOME"] = str(pathlib.Path(java).resolve().parent.parent)
    return Service(name, [str(home / "bin" / "catalina.sh"), "run"], env)


def millis(text):
    value = float(re.match(r"[\d.]+", text).group())
    unit = text[len(re.match(r"[\d.]+", text).group()):]
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(port, connections, seconds, script):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}/bench"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout):? (\d+)", out))
    return {"rps": rps, "requests": requests, "p50_ms": millis(lat["50"]), "p99_ms": millis(lat["99"]), "errors": errors}


def curl_upload(port, body, size, max_seconds):
    """POSTs the file; returns MB/s (each way for the echo, which answers while the upload still runs).

    A transfer that stalls is cut at max_seconds and counts as an error, at the rate it reached."""
    done = subprocess.run(["curl", "-s", "-m", str(max_seconds), "-X", "POST", "-T", str(body), "-o", "/dev/null",
                           "-w", "%{http_code} %{time_total} %{size_upload}", "-H", "Expect:",
                           f"http://127.0.0.1:{port}/body"], capture_output=True, text=True)
    status, seconds, uploaded = done.stdout.split()
    return {"status": int(status) if done.returncode == 0 else -done.returncode, "seconds": float(seconds),
            "mb_s": float(uploaded) / float(seconds) / 1e6}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--big-bytes", type=int, default=5_000_000_000, help="the body size; 5 GB, about the seed's ISO")
    parser.add_argument("--max-seconds", type=int, default=90, help="a body transfer past this counts as stalled")
    parser.add_argument("--java", default=os.environ.get("JAVA", "java"))
    parser.add_argument("--only", nargs="*", default=[t for t in TARGETS if t not in OPTIONAL_TARGETS], choices=list(TARGETS),
                        help="targets to run (" + ", ".join(OPTIONAL_TARGETS) + " only when named)")
    parser.add_argument("--baseline-jar", help="the jar jwt-proxy-baseline runs (another build, e.g. of the commit before a change)")
    parser.add_argument("--loads", nargs="*", default=LOADS + STREAM_LOADS + PROTOCOL_LOADS, choices=LOADS + STREAM_LOADS + PROTOCOL_LOADS,
                        help="loads to run")
    parser.add_argument("--warmup-seconds", type=int, default=30, help="jwt-proxy's measured warm-up")
    parser.add_argument("--launch", choices=["lean", "readme", "plain"], default="lean",
                        help="jwt-proxy (the small-request and body targets) as docs/deployment.md's 'Running it lean' says with its access log off like the peers' (lean), exactly as the README's "
                             "run command starts it (readme: bin/jwt-proxy, access log on), or with the JVM's defaults (plain: java -jar)")
    args = parser.parse_args()
    if "jwt-proxy-baseline" in args.only and not args.baseline_jar:
        parser.error("jwt-proxy-baseline needs --baseline-jar")

    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "tmp").mkdir(exist_ok=True)
    jar = ROOT / "target" / "jwt-proxy.jar"
    script = WORK / "post.lua"
    script.write_text('wrk.method = "POST"\nwrk.body = string.rep("a", 1024)\n'
                      'wrk.headers["Content-Type"] = "application/octet-stream"\n')
    body = WORK / "body.bin"
    if not body.exists() or body.stat().st_size != args.big_bytes:
        with open(body, "wb") as f, open("/dev/urandom", "rb") as r:
            left = args.big_bytes
            while left:
                left -= f.write(r.read(min(left, 1 << 24)))

    def nginx_conf(name, text):
        path = WORK / name
        path.write_text(text.replace("PREFIX", str(WORK)))
        return path

    # The first server block is the fixed-answer upstream, run by its own nginx; the rest are the proxies.
    conf = (BENCH / "nginx.conf").read_text()
    first = conf.index("    server {")
    second = conf.index("    server {", first + 1)
    upstream_conf = conf[:second] + "}\n"
    proxy_conf = conf[:first] + conf[second:]
    tls = WORK / "tls"
    if not (tls / "cert.pem").exists():
        tls.mkdir(exist_ok=True)
        # The README's recipe for a test certificate.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")], check=True, capture_output=True)
    services = {}
    # The launch the README recommends for production (docs/deployment.md, "Running it lean"), access log off like the peers'.
    java = [args.java, "-Xmx128m", "-XX:+UseSerialGC", "-Dio.jwtproxy.access.LEVEL=WARN", "-jar", str(jar)]
    lean = {"MALLOC_ARENA_MAX": "2"}
    proxy_command = {"lean": java, "readme": [str(ROOT / "bin" / "jwt-proxy")], "plain": [args.java, "-jar", str(jar)]}[args.launch]
    proxy_env = lean if args.launch == "lean" else {"JAVA": args.java}
    try:
        services["upstream-nginx"] = Service("upstream-nginx", ["nginx", "-g", "daemon off;", "-c",
                                             str(nginx_conf("upstream-nginx.conf", upstream_conf.replace("nginx.pid", "upstream-nginx.pid")))])
        services["upstream-echo"] = Service("upstream-echo", [args.java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", str(jar), "echo"],
                                            {**lean, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(ECHO)})
        if "nginx" in args.only:
            services["nginx"] = Service("nginx", ["nginx", "-g", "daemon off;", "-c", str(nginx_conf("proxy-nginx.conf", proxy_conf))])
        if "haproxy" in args.only:
            services["haproxy"] = Service("haproxy", ["haproxy", "-f", str(BENCH / "haproxy.cfg")])
        if "jwt-proxy-war" in args.only:
            small, big = TARGETS["jwt-proxy-war"]
            services["jwt-proxy-war"] = tomcat_service("jwt-proxy-war", small, FIXED, args.java)
            services["jwt-proxy-war-big"] = tomcat_service("jwt-proxy-war-big", big, ECHO, args.java)
        if {"jwt-proxy-traced", "jwt-proxy-traced-10pct"} & set(args.only):
            services["otlp-collector"] = Service("otlp-collector", [args.java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                                                 (WORK / "test-classpath.txt").read_text().strip(), "io.jwtproxy.bench.BenchPeers",
                                                 "otlp-collector", str(OTLP)], lean)
            wait_port(OTLP)

        def launch(name):
            if name != "jwt-proxy-baseline":
                return proxy_command
            return [str(args.baseline_jar) if part == str(jar) else part for part in java]
        for name, command, envs in [("aiohttp", ["/usr/bin/python3", str(BENCH / "aiohttp_proxy.py")], {})] + [
                (name, launch(name), {**proxy_env, "HTTP_HOST": "127.0.0.1", **settings}) for name, settings in JWT_PROXY_JARS.items()]:
            if name not in args.only:
                continue
            small, big = TARGETS[name]
            secure = {"HTTPS_PORT": str(PROTOCOL_TARGETS[name][1]), "TLS_CERT_FILE": str(tls / "cert.pem"),
                      "TLS_KEY_FILE": str(tls / "key.pem")} if name == "jwt-proxy" else {}
            services[name] = Service(name, command, {**envs, **secure, "HTTP_PORT": str(small), "JWT_SECRET": SECRET,
                                                     "UPSTREAM_URL": f"http://127.0.0.1:{FIXED}"})
            services[name + "-big"] = Service(name + "-big", command, {**envs, "HTTP_PORT": str(big), "JWT_SECRET": SECRET,
                                                                       "UPSTREAM_URL": f"http://127.0.0.1:{ECHO}"})
        streams = [load for load in args.loads if load in STREAM_LOADS]
        stream_targets = [name for name in STREAM_TARGETS if name in args.only]
        if streams:
            peers = [args.java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", (WORK / "test-classpath.txt").read_text().strip(),
                     "io.jwtproxy.bench.BenchPeers"]
            services["upstream-ws"] = Service("upstream-ws", peers + ["ws-upstream", str(WS_UP)], lean)
            services["upstream-sse"] = Service("upstream-sse", peers + ["sse-upstream", str(SSE_UP), str(SSE_EVENTS), str(SSE_PAUSE_MS)], lean)
            if "jwt-proxy" in stream_targets:
                ws, sse = STREAM_TARGETS["jwt-proxy"]
                for name, port, upstream in [("jwt-proxy-ws", ws, WS_UP), ("jwt-proxy-sse", sse, SSE_UP)]:
                    services[name] = Service(name, java, {**lean, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), "JWT_SECRET": SECRET,
                                                          "UPSTREAM_URL": f"http://127.0.0.1:{upstream}"})
        for name in args.only:
            for port in TARGETS[name] + (STREAM_TARGETS.get(name, ()) if streams else ()) + PROTOCOL_TARGETS.get(name, ()):
                if port:
                    wait_port(port)

        def pids(name, big=False):
            service = services.get(name + ("-big" if big and name + "-big" in services else ""))
            return service.pids() if service else []

        # Warm-up: pools (and the JIT) for every target; jwt-proxy's is measured, in one-second
        # slices from its start, until it has run at its steady rate for a while.
        warmup = None
        # jwt-proxy first, so that its curve starts right after its start.
        for name in sorted(args.only, key=lambda target: target != "jwt-proxy") if set(args.loads) & set(LOADS) else []:
            if name == "jwt-proxy":
                warmup = warm_up_curve(services[name], TARGETS[name][0], script, args.warmup_seconds)
            else:
                # The JIT's warm-up: as long for the other jwt-proxy launch as for the measured one.
                wrk(TARGETS[name][0], 32, args.warmup_seconds if name.startswith("jwt-proxy") else 5, script)
            if TARGETS[name][1] != TARGETS[name][0] and set(args.loads) & {"duplex", "upload"}:
                wrk(TARGETS[name][1], 32, 5, script)

        results = []
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        raw = open(WORK / f"results-{stamp}.jsonl", "w")
        if warmup:
            raw.write(json.dumps({"target": "jwt-proxy", "load": "warm-up", **warmup}) + "\n")
        if streams:
            # The JIT's first pass over the WebSocket and SSE paths, for every target.
            for name in stream_targets:
                ws_echo(peers, STREAM_TARGETS[name][0], 1024, 3, 8)
                sse_delay(peers, STREAM_TARGETS[name][1])
        # The JIT's first pass over the HTTP/2 and TLS paths.
        for name in [name for name in PROTOCOL_TARGETS if name in args.only] if set(args.loads) & set(PROTOCOL_LOADS) else []:
            h2c, secure = PROTOCOL_TARGETS[name]
            h2load(h2c, 10)
            if secure:
                tls_new_connections(secure, 10)
        for round_ in range(1, args.rounds + 1):
            for load in streams:
                for name in stream_targets:
                    if load == "ws-idle" and name == "direct":
                        continue
                    result = stream_round(load, name, peers, services, args.seconds)
                    result.update(target=name, load=load, round=round_, loadavg=os.getloadavg()[0])
                    results.append(result)
                    raw.write(json.dumps(result) + "\n")
                    raw.flush()
                    print(json.dumps(result), file=sys.stderr)
            for load in [load for load in args.loads if load in PROTOCOL_LOADS]:
                for name in [name for name in PROTOCOL_TARGETS if name in args.only]:
                    h2c, secure = PROTOCOL_TARGETS[name]
                    if load == "tls-new" and not secure:
                        continue
                    watched = pids(name)
                    cpu0, switches0 = cpu_seconds(watched), switches(watched)
                    load_avg = os.getloadavg()[0]
                    result = h2load(h2c, args.seconds) if load == "h2-streams" else tls_new_connections(secure, args.seconds)
                    result["cpu_us_per_req"] = (cpu_seconds(watched) - cpu0) * 1e6 / max(result["requests"], 1) if watched else None
                    result["switches_per_req"] = (switches(watched) - switches0) / max(result["requests"], 1) if watched else None
                    result.update(target=name, load=load, round=round_, loadavg=load_avg)
                    results.append(result)
                    raw.write(json.dumps(result) + "\n")
                    raw.flush()
                    print(json.dumps(result), file=sys.stderr)
            for load in [load for load in args.loads if load in LOADS]:
                for name in args.only:
                    small, big = TARGETS[name]
                    is_small = load.startswith("small")
                    watched = pids(name, big=load == "duplex")
                    cpu0, switches0 = cpu_seconds(watched), switches(watched)
                    load_avg = os.getloadavg()[0]
                    if load == "idle-keepalive":
                        if name == "direct":
                            continue
                        result = idle_keepalive(small, IDLE_KEEPALIVE, watched)
                    elif is_small:
                        result = wrk(small, int(load.split("-")[1]), args.seconds, script)
                        cpu = cpu_seconds(watched) - cpu0
                        result["cpu_us_per_req"] = cpu * 1e6 / result["requests"] if watched else None
                        result["switches_per_req"] = (switches(watched) - switches0) / result["requests"] if watched else None
                    else:
                        result = curl_upload(big if load == "duplex" else small, body, args.big_bytes, args.max_seconds)
                        cpu = cpu_seconds(watched) - cpu0
                        result["cpu_s_per_gib"] = cpu / (args.big_bytes / (1 << 30)) if watched else None
                    result.update(target=name, load=load, round=round_, loadavg=load_avg,
                                  peak_rss_kib=peak_rss_kib(watched) or None)
                    results.append(result)
                    raw.write(json.dumps(result) + "\n")
                    raw.flush()
                    print(json.dumps(result), file=sys.stderr)
        raw.close()
        table = render(results, args, warmup) + render_streams(results) + render_protocols(results)
        (WORK / f"results-{stamp}.md").write_text(table)
        print(table)
    finally:
        for service in services.values():
            service.stop()


def peer(peers, *command):
    """Runs a bench peer command to its end; its one JSON line."""
    done = subprocess.run(peers + list(command), capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"bench peer {command} failed: {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def ws_echo(peers, port, size, seconds, connections):
    return peer(peers, "ws-echo", f"ws://127.0.0.1:{port}/echo", str(size), str(seconds), str(connections))


def sse_delay(peers, port):
    return peer(peers, "sse-delay", f"http://127.0.0.1:{port}/events")


def rss_kib(pids):
    return status_kib(pids, "VmRSS")


def heap_after_gc_kib(pid):
    """The Java heap in use right after a full collection (jcmd GC.run, then GC.heap_info)."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, check=True)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, check=True).stdout
    # The serial collector's young and tenured generations, as the launch bench/run measures has it.
    return sum(int(used) for used in re.findall(r"generation\s+total \d+K, used (\d+)K", info))


def stream_round(load, name, peers, services, seconds):
    ws_port, sse_port = STREAM_TARGETS[name]
    if load in WS_ROUNDS:
        size, connections = WS_ROUNDS[load]
        service = services.get(name + "-ws") or services.get(name)
        cpu0 = cpu_seconds(service.pids()) if service else None
        result = ws_echo(peers, ws_port, size, seconds, connections)
        if service:
            result["cpu_us_per_msg"] = (cpu_seconds(service.pids()) - cpu0) * 1e6 / max(result["messages"], 1)
        return result
    if load == "sse":
        return sse_delay(peers, sse_port)
    # ws-idle: what IDLE_WEBSOCKETS silent WebSockets cost the proxy, RSS and (for jwt-proxy) the heap after a full GC.
    service = services.get(name + "-ws") or services[name]
    pids = service.pids()
    java = name == "jwt-proxy"
    heap0 = heap_after_gc_kib(pids[0]) if java else None
    rss0 = rss_kib(pids)
    holder = subprocess.Popen(peers + ["ws-idle", f"ws://127.0.0.1:{ws_port}/echo", str(IDLE_WEBSOCKETS)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        opened = json.loads(holder.stdout.readline())
        heap1 = heap_after_gc_kib(pids[0]) if java else None
        rss1 = rss_kib(pids)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    result = {"opened": opened["opened"], "errors": opened["failed"], "rss_kib_before": rss0, "rss_kib_after": rss1,
              "rss_kib_per_ws": (rss1 - rss0) / max(opened["opened"], 1)}
    if java:
        result.update(heap_kib_before=heap0, heap_kib_after=heap1, heap_kib_per_ws=(heap1 - heap0) / max(opened["opened"], 1))
    return result


def medians(results):
    """The median over rounds of one measurement of a target under a load, or None."""
    def median(target, load, key):
        values = [r[key] for r in results if r["target"] == target and r["load"] == load and r.get(key) is not None]
        return statistics.median(values) if values else None
    return median


def fmt(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def render_streams(results):
    median = medians(results)
    lines = []
    echo_loads = [load for load in WS_ROUNDS if any(r["load"] == load for r in results)]
    if echo_loads:
        lines += ["", "| WebSocket echo | target | messages/s | MB/s each way | ×nginx | ×direct | p50 ms | p99 ms | CPU µs/message | errors |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for load in echo_loads:
            size, connections = WS_ROUNDS[load]
            for target in STREAM_TARGETS:
                rate = median(target, load, "msgs_s")
                if rate is None:
                    continue
                nginx, direct = median("nginx", load, "msgs_s"), median("direct", load, "msgs_s")
                errors = sum(r.get("errors", 0) for r in results if r["target"] == target and r["load"] == load)
                lines.append(f"| {size // 1024:,} KiB × {connections} | {target} | {fmt(rate)} | {fmt(median(target, load, 'mb_s'), 1)} | "
                             f"{fmt(rate / nginx if nginx else None, 2)} | {fmt(rate / direct if direct else None, 2)} | "
                             f"{fmt(median(target, load, 'p50_ms'), 2)} | {fmt(median(target, load, 'p99_ms'), 2)} | "
                             f"{fmt(median(target, load, 'cpu_us_per_msg'), 1)} | {errors} |")
    if any(r["load"] == "sse" for r in results):
        lines += ["", f"| SSE ({SSE_EVENTS} events {SSE_PAUSE_MS} ms apart) | delay p50 ms | p99 ms | max ms |", "|---|---|---|---|"]
        for target in STREAM_TARGETS:
            if median(target, "sse", "p50_ms") is not None:
                lines.append(f"| {target} | {fmt(median(target, 'sse', 'p50_ms'), 2)} | {fmt(median(target, 'sse', 'p99_ms'), 2)} | "
                             f"{fmt(median(target, 'sse', 'max_ms'), 2)} |")
    if any(r["load"] == "ws-idle" for r in results):
        lines += ["", f"| {IDLE_WEBSOCKETS:,} idle WebSockets | opened | RSS MB before → after | RSS KiB each | heap after GC MB before → after "
                  "| heap KiB each |", "|---|---|---|---|---|---|"]
        for target in STREAM_TARGETS:
            if median(target, "ws-idle", "opened") is None:
                continue
            heap0, heap1 = median(target, "ws-idle", "heap_kib_before"), median(target, "ws-idle", "heap_kib_after")
            lines.append(f"| {target} | {fmt(median(target, 'ws-idle', 'opened'))} | "
                         f"{fmt(median(target, 'ws-idle', 'rss_kib_before') / 1024)} → {fmt(median(target, 'ws-idle', 'rss_kib_after') / 1024)} | "
                         f"{fmt(median(target, 'ws-idle', 'rss_kib_per_ws'), 1)} | "
                         + (f"{heap0 / 1024:.1f} → {heap1 / 1024:.1f} | {fmt(median(target, 'ws-idle', 'heap_kib_per_ws'), 1)} |"
                            if heap0 is not None else "– | – |"))
    return "\n".join(lines) + ("\n" if lines else "")


def h2load(port, seconds):
    """HTTP/2 in the clear with prior knowledge: H2_CONNECTIONS connections, H2_STREAMS streams in flight on each."""
    out = subprocess.run(["h2load", "-t1", f"-c{H2_CONNECTIONS}", f"-m{H2_STREAMS}", f"-D{seconds}", "--warm-up-time=1",
                          f"http://127.0.0.1:{port}/bench"], capture_output=True, text=True, timeout=seconds + 60).stdout
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out)
    if not done:
        raise SystemExit(f"h2load to {port} printed no summary: {out[-2000:]}")
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out).group(1)
    return {"rps": float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1)), "requests": int(done.group(2)),
            "mean_ms": millis(mean), "errors": sum(int(n) for n in done.group(3, 4, 5))}


def tls_connections(port, seconds, threads, queue):
    """One client process: threads that each open a new TLS connection per request, never resuming a session."""
    import ssl
    import threading
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    request = b"GET /bench HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    counts, latencies, errors, versions = [0] * threads, [[] for _ in range(threads)], [0] * threads, set()
    deadline = time.time() + seconds

    def run(i):
        while time.time() < deadline:
            started = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                        context.wrap_socket(raw, server_hostname="localhost") as conn:
                    conn.sendall(request)
                    answer = b""
                    while chunk := conn.recv(65536):
                        answer += chunk
                    versions.add(conn.version())
                if not answer.startswith(b"HTTP/1.1 200"):
                    errors[i] += 1
                    continue
            except OSError:
                errors[i] += 1
                continue
            counts[i] += 1
            latencies[i].append((time.perf_counter() - started) * 1000)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((sum(counts), sum(errors), [ms for part in latencies for ms in part], sorted(versions)))


def tls_new_connections(port, seconds):
    """New TLS 1.3 connections per second (each a full handshake and one request), from
    TLS_PROCESSES processes of TLS_THREADS threads; Python's ssl does not resume a session unless asked to."""
    import multiprocessing
    queue = multiprocessing.Queue()
    started = time.time()
    clients = [multiprocessing.Process(target=tls_connections, args=(port, seconds, TLS_THREADS, queue)) for _ in range(TLS_PROCESSES)]
    for client in clients:
        client.start()
    parts = [queue.get(timeout=seconds + 60) for _ in clients]
    for client in clients:
        client.join()
    elapsed = time.time() - started
    latencies = sorted(ms for part in parts for ms in part[2])
    requests = sum(part[0] for part in parts)
    return {"rps": requests / elapsed, "requests": requests, "errors": sum(part[1] for part in parts),
            "p50_ms": latencies[len(latencies) // 2] if latencies else None,
            "p99_ms": latencies[int(len(latencies) * 0.99)] if latencies else None,
            "versions": sorted({version for part in parts for version in part[3]})}


def render_protocols(results):
    median = medians(results)
    lines = []
    for load, title, columns in [
        ("h2-streams", f"h2c, {H2_CONNECTIONS} connections × {H2_STREAMS} streams", "mean ms"),
        ("tls-new", f"new TLS 1.3 connections, {TLS_PROCESSES * TLS_THREADS} at a time", "p50 ms | p99 ms"),
    ]:
        if not any(r["load"] == load for r in results):
            continue
        lines += ["", f"| {title} | req/s | ×nginx | ×direct | {columns} | CPU µs/req | errors |",
                  "|---|---|---|---|---|---|---|" + ("---|" if load == "tls-new" else "")]
        for target in PROTOCOL_TARGETS:
            rate = median(target, load, "rps")
            if rate is None:
                continue
            nginx, direct = median("nginx", load, "rps"), median("direct", load, "rps")
            errors = sum(r.get("errors", 0) for r in results if r["target"] == target and r["load"] == load)
            times = (fmt(median(target, load, "mean_ms"), 2) if load == "h2-streams"
                     else f"{fmt(median(target, load, 'p50_ms'), 2)} | {fmt(median(target, load, 'p99_ms'), 2)}")
            lines.append(f"| {target} | {fmt(rate)} | {fmt(rate / nginx if nginx else None, 2)} | "
                         f"{fmt(rate / direct if direct else None, 2)} | {times} | {fmt(median(target, load, 'cpu_us_per_req'), 1)} | {errors} |")
    return "\n".join(lines) + ("\n" if lines else "")


def warm_up_curve(service, port, script, seconds):
    """Requests/s in one-second slices of c32 load from now on, and when (counted from the process's
    start) the rate first held 90 % of its steady value (the median of the last five slices) for two slices."""
    slices = []
    first = time.time() - service.started
    for _ in range(seconds):
        slices.append(wrk(port, 32, 1, script)["rps"])
    steady = statistics.median(slices[-5:])
    reached = next((i for i in range(len(slices) - 1) if min(slices[i], slices[i + 1]) >= 0.9 * steady), None)
    return {"slices_rps": slices, "first_slice_s": first, "steady_rps": steady,
            "seconds_to_90pct": None if reached is None else first + reached,
            "seconds_of_load_to_90pct": reached}


def render(results, args, warmup=None):
    median = medians(results)

    def ratio(value, base):
        return f"{value / base:.2f}" if value and base else "–"

    lines = [f"Machine: {os.cpu_count()} cores, {os.uname().release}; jwt-proxy launched {args.launch}; {args.rounds} interleaved rounds, wrk {args.seconds} s, "
             f"bodies {args.big_bytes:,} bytes; load average at the rounds' starts "
             f"{min(r['loadavg'] for r in results):.2f}–{max(r['loadavg'] for r in results):.2f}.", ""]
    if warmup:
        reached = warmup["seconds_to_90pct"]
        lines[-1:-1] = [f"jwt-proxy warm-up (c32, one-second slices from {warmup['first_slice_s']:.1f} s after its start): "
                        f"{', '.join(f'{r:,.0f}' for r in warmup['slices_rps'])} req/s; 90 % of its steady "
                        f"{warmup['steady_rps']:,.0f} req/s " + (f"from {reached:.1f} s after start ({warmup['seconds_of_load_to_90pct']} s of load)."
                                                          if reached is not None else "not reached.")]
    rounds = sorted({r["round"] for r in results if "round" in r})
    lines[-1:-1] = ["Load average at each measurement's start, by round: " + "; ".join(
        f"round {n} {min(r['loadavg'] for r in results if r.get('round') == n):.2f}–{max(r['loadavg'] for r in results if r.get('round') == n):.2f}"
        for n in rounds) + "."]
    if not set(args.loads) & set(LOADS):
        return "\n".join(lines)
    small = [target for target in TARGETS if median(target, "small-32", "rps") or median(target, "small-256", "rps")]
    if small:
        # The engines side by side, in the shape of issue 24's table: 1 KiB POSTs at 32 and 256 connections.
        def pair(target, key, digits, base=None):
            values = []
            for load in ("small-32", "small-256"):
                value = median(target, load, key)
                reference = median(base, load, key) if base else None
                values.append(ratio(value, reference) if base else fmt(value, digits))
            return " · ".join(values)
        lines += ["| 1 KiB POST: variant | ×nginx c32 · c256 | CPU µs/req c32 · c256 | switches/req c32 · c256 | p99 ms c32 · c256 |",
                  "|---|---|---|---|---|"]
        for target in small:
            lines.append(f"| {target} | {pair(target, 'rps', 0, 'nginx')} | {pair(target, 'cpu_us_per_req', 0)} | "
                         f"{pair(target, 'switches_per_req', 2)} | {pair(target, 'p99_ms', 1)} |")
        lines.append("")
    idle = [target for target in TARGETS if median(target, "idle-keepalive", "rss_mb") is not None]
    if idle:
        lines += [f"| {IDLE_KEEPALIVE:,} idle keep-alive connections | answered | RSS MB held | RSS MB before |", "|---|---|---|---|"]
        for target in idle:
            lines.append(f"| {target} | {fmt(median(target, 'idle-keepalive', 'answered'))} | {fmt(median(target, 'idle-keepalive', 'rss_mb'))} | "
                         f"{fmt(median(target, 'idle-keepalive', 'rss_before_mb'))} |")
        lines.append("")
    lines += ["| load | target | req/s or MB/s | ×nginx | ×direct | p50 ms | p99 ms | CPU µs/req or s/GiB | peak RSS MB | errors |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for load in [load for load in args.loads if load in LOADS and load != "idle-keepalive"]:
        key = "rps" if load.startswith("small") else "mb_s"
        cpu_key = "cpu_us_per_req" if load.startswith("small") else "cpu_s_per_gib"
        for target in TARGETS:
            value = median(target, load, key)
            if value is None:
                continue
            p50, p99, cpu, rss = (median(target, load, k) for k in ("p50_ms", "p99_ms", cpu_key, "peak_rss_kib"))
            errors = sum(r.get("errors", 0) + (0 if r.get("status", 200) == 200 else 1)
                         for r in results if r["target"] == target and r["load"] == load)
            lines.append(f"| {load} | {target} | {value:,.0f} | {ratio(value, median('nginx', load, key))} | "
                         f"{ratio(value, median('direct', load, key))} | {'–' if p50 is None else f'{p50:.2f}'} | "
                         f"{'–' if p99 is None else f'{p99:.2f}'} | {'–' if cpu is None else f'{cpu:.1f}'} | "
                         f"{'–' if rss is None else f'{rss / 1024:.0f}'} | {errors} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
