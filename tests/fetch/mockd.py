#!/usr/bin/python3
"""mockd - replay recorded Yahoo, Alpha Vantage and Stooq responses on 127.0.0.1.

The server the sp-fetch tests and benchmark start.  It answers the real APIs'
paths from fixture files, byte for byte, and injects faults per symbol on
request.  See tests/fetch/README.md for the mapping rule and the config format.

Usage: mockd.py --fixtures DIR --port-file FILE [--config FILE.json]
                [--delay SECONDS] [--log FILE]
Python 3 standard library only.
"""

import argparse
import fnmatch
import glob
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

SOURCES = ("yahoo", "alphavantage", "stooq")

# Alpha Vantage file-name prefixes and the function each one answers
# (longest first, so that daily_adjusted is not taken for daily).
AV_FUNCTIONS = (("daily_adjusted", "TIME_SERIES_DAILY_ADJUSTED"),
                ("global_quote", "GLOBAL_QUOTE"),
                ("intraday", "TIME_SERIES_INTRADAY"),
                ("daily", "TIME_SERIES_DAILY"))

# Request parameters a file name may be specialised for: a name token equal
# to one of the values is a qualifier for that parameter.
SLOTS = {
    "yahoo": {"interval": ({"1m", "2m", "5m", "15m", "30m", "60m", "90m", "1h",
                            "1d", "5d", "1wk", "1mo", "3mo"}, "1d")},
    "alphavantage": {"outputsize": ({"full", "compact"}, "compact"),
                     "interval": ({"1min", "5min", "15min", "30min", "60min"}, "")},
    "stooq": {"i": ({"d", "w", "m", "q", "y"}, "d")},
}

# The answer each source gives for an unknown symbol: status, file pattern.
UNKNOWN = {"yahoo": (404, "yahoo/chart_error_not_found*.json"),
           "alphavantage": (200, "alphavantage/error_invalid_api_call*.json"),
           "stooq": (200, "stooq/no_data*.txt")}

SPECIAL = {"av_note": "alphavantage/rate_limit_note*.json",
           "av_information": "alphavantage/rate_limit_information*.json"}

FAULT_KINDS = {"status", "slow", "truncated", "html", "av_note", "av_information",
               "notfound", "reset"}

CONTENT_TYPES = {".json": "application/json;charset=utf-8", ".csv": "text/csv",
                 ".txt": "text/plain", ".html": "text/html"}

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\n"
             b"<body><h1>Oops!</h1><p>Something went wrong. Please try again later."
             b"</p></body></html>\n")


def die(msg):
    sys.stderr.write("mockd: %s\n" % msg)
    sys.exit(2)


def parse_name(source, name):
    """Map a fixture file name to (kind, SYMBOL, qualifier tokens), or None."""
    stem, ext = os.path.splitext(name)
    tokens = stem.split("_")
    if "error" in tokens:
        return None
    if source == "yahoo":
        if tokens[0] == "chart" and len(tokens) >= 2 and ext == ".json":
            return ("chart", tokens[1].upper(), tokens[2:])
    elif source == "stooq":
        if len(tokens) >= 3 and ext == ".csv":
            market = "" if tokens[1] == "us" else "." + tokens[1].upper()
            return ("", tokens[0].upper() + market, tokens[2:])
    elif source == "alphavantage":
        for prefix, function in AV_FUNCTIONS:
            if stem.startswith(prefix + "_"):
                rest = stem[len(prefix) + 1:].split("_")
                symbols = [t for t in rest if t.isupper()]
                if len(symbols) == 1:
                    rest.remove(symbols[0])
                    return ("%s:%s" % (function, ext[1:]), symbols[0], rest)
                return None
    return None


def build_index(root):
    """{(source, kind, SYMBOL): [(relpath, tokens, size)]} from the names in root."""
    index = {}
    for source in SOURCES:
        for path in sorted(glob.glob(os.path.join(root, source, "*"))):
            parsed = parse_name(source, os.path.basename(path))
            if parsed and os.path.isfile(path):
                kind, symbol, tokens = parsed
                entry = (os.path.relpath(path, root), tokens, os.path.getsize(path))
                index.setdefault((source, kind, symbol), []).append(entry)
    return index


def pick(source, candidates, params):
    """The candidate whose qualifiers agree best with the request; ties go to
    the largest file, then to the first name."""
    def score(entry):
        s = 0
        for slot, (values, default) in SLOTS[source].items():
            want = params.get(slot, default)
            for t in entry[1]:
                if t in values:
                    s += 1 if t == want else -1
        return (-s, -entry[2], entry[0])
    return min(candidates, key=score)[0]


def load_config(path):
    if not path:
        return {"map": {}, "faults": {}}
    try:
        with open(path) as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        die("config %s: %s" % (path, e))
    unknown = set(cfg) - {"map", "faults"}
    if unknown:
        die("config: unknown key(s) %s" % ", ".join(sorted(unknown)))
    cfg.setdefault("map", {})
    cfg.setdefault("faults", {})
    for key, value in cfg["map"].items():
        if not (value is None or isinstance(value, str)
                or (isinstance(value, dict) and isinstance(value.get("file"), str))):
            die("config: map %s: want a file name, {\"file\": ..., \"status\": N} or null"
                % key)
    for key, faults in cfg["faults"].items():
        if not isinstance(faults, list):
            die("config: faults for %s must be a list" % key)
        for fault in faults:
            if not isinstance(fault, dict) or fault.get("kind") not in FAULT_KINDS:
                die("config: fault for %s: kind must be one of %s"
                    % (key, ", ".join(sorted(FAULT_KINDS))))
            if fault["kind"] == "status" and not isinstance(fault.get("status"), int):
                die("config: fault for %s: kind status needs an integer status" % key)
    return cfg


class State:
    """What every handler thread shares: fixtures, config, faults left, counts, log."""

    def __init__(self, args):
        self.root = args.fixtures
        self.delay = args.delay
        self.index = build_index(self.root)
        cfg = load_config(args.config)
        self.map = cfg["map"]
        # Each fault entry gets a count of uses left (None: forever).
        self.faults = {k: [[dict(f), None if f.get("forever") else int(f.get("repeat", 1))]
                           for f in v] for k, v in cfg["faults"].items()}
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "symbols": {}, "sources": {}, "faults": {}}
        self.log = open(args.log, "a") if args.log else None

    def resolve(self, source, kind, symbol, params):
        """(status, relpath) of the normal answer for a request."""
        key = "%s:%s" % (source, symbol) + (":" + kind if source == "alphavantage" else "")
        hits = [k for k in self.map if k == key]
        hits += [k for k in self.map if k != key and fnmatch.fnmatchcase(key, k)]
        if hits:
            value = self.map[hits[0]]
            if value is None:
                return self.unknown(source)
            if isinstance(value, dict):
                return value.get("status", 200), value["file"]
            return 200, value
        candidates = self.index.get((source, kind, symbol))
        if candidates:
            return 200, pick(source, candidates, params)
        return self.unknown(source)

    def unknown(self, source):
        status, pattern = UNKNOWN[source]
        return status, self.special(pattern)

    def special(self, pattern):
        found = sorted(glob.glob(os.path.join(self.root, pattern)))
        return os.path.relpath(found[0], self.root) if found else pattern

    def take_fault(self, source, symbol):
        """Consume and return the next fault for this symbol, or None."""
        with self.lock:
            for key in ("%s:%s" % (source, symbol), symbol, "*"):
                queue = self.faults.get(key)
                if not queue:
                    continue
                fault, left = queue[0]
                if left is not None:
                    if left <= 1:
                        queue.pop(0)
                    else:
                        queue[0][1] = left - 1
                return fault
        return None

    def record(self, entry):
        with self.lock:
            st = self.stats
            st["requests"] += 1
            sym, src = entry["symbol"], entry["source"]
            if src is not None:
                st["sources"][src] = st["sources"].get(src, 0) + 1
            if sym is not None:
                st["symbols"][sym] = st["symbols"].get(sym, 0) + 1
                if entry["fault"]:
                    st["faults"][sym] = st["faults"].get(sym, 0) + 1
            if self.log:
                self.log.write(json.dumps(entry) + "\n")
                self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "mockd/1"
    state = None  # set in main()

    def log_message(self, format, *args):
        pass

    def route(self):
        """(source, kind, SYMBOL, params) for this request's path, or None."""
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        prefix = "/v8/finance/chart/"
        if url.path.startswith(prefix) and len(url.path) > len(prefix):
            return "yahoo", "chart", unquote(url.path[len(prefix):]).upper(), q
        if url.path == "/query":
            kind = "%s:%s" % (q.get("function", ""), q.get("datatype", "json"))
            return "alphavantage", kind, q.get("symbol", "").upper(), q
        if url.path in ("/q/d/l/", "/q/d/l"):
            symbol = q.get("s", "").upper()
            if symbol.endswith(".US"):
                symbol = symbol[:-3]
            return "stooq", "", symbol, q
        return None

    def do_GET(self):
        state = self.state
        if self.path == "/_stats":
            with state.lock:
                body = json.dumps(state.stats, sort_keys=True).encode() + b"\n"
            return self.answer(200, {"Content-Type": "application/json"}, body)
        route = self.route()
        fault = None
        extra = {}
        if route:
            source, kind, symbol, params = route
            status, rel = state.resolve(source, kind, symbol, params)
            fault = state.take_fault(source, symbol)
        elif self.path.startswith("/files/"):
            source, symbol = "files", None
            status, rel = 200, unquote(urlsplit(self.path).path[len("/files/"):])
            if (rel.startswith("/") or ".." in rel.split("/")
                    or not os.path.isfile(os.path.join(state.root, rel))):
                status, rel = 404, None
        else:
            source, symbol, status, rel = None, None, 404, None
        kind = fault["kind"] if fault else None
        if kind == "status":
            status, rel = fault["status"], None
            if "retry_after" in fault:
                extra["Retry-After"] = str(fault["retry_after"])
        elif kind == "html":
            status, rel = 200, None
        elif kind in SPECIAL:
            status, rel = 200, state.special(SPECIAL[kind])
        elif kind == "notfound":
            status, rel = state.unknown(source)
        body, ctype = self.body_for(status, rel, kind, fault)
        if body is None:
            status, ctype = 500, "text/plain"
            body = ("mockd: no fixture %s\n" % rel).encode()
        state.record({"time": round(time.time(), 3), "method": self.command,
                      "path": self.path, "source": source, "symbol": symbol,
                      "file": rel, "fault": kind,
                      "status": None if kind == "reset" else status})
        if state.delay:
            time.sleep(state.delay)
        if kind == "slow":
            time.sleep(float(fault.get("seconds", 5)))
        if kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        extra["Content-Type"] = ctype
        self.answer(status, extra, body, truncate=(kind == "truncated"))

    def body_for(self, status, rel, kind, fault):
        """(bytes, content type) of an answer; bytes None if the file is missing."""
        if kind == "html":
            return HTML_PAGE, "text/html; charset=utf-8"
        if rel is None:
            text = fault.get("body") if fault else None
            if text is None:
                try:
                    text = "%d %s\n" % (status, HTTPStatus(status).phrase)
                except ValueError:
                    text = "%d\n" % status
            return text.encode(), "text/plain"
        try:
            with open(os.path.join(self.state.root, rel), "rb") as f:
                data = f.read()
        except OSError:
            return None, None
        return data, CONTENT_TYPES.get(os.path.splitext(rel)[1], "application/octet-stream")

    def answer(self, status, headers, body, truncate=False):
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if truncate:
                self.wfile.write(body[:len(body) // 2])
                self.close_connection = True
            else:
                self.wfile.write(body)
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser(description="Replay recorded market-data responses.")
    p.add_argument("--fixtures", required=True, help="directory with yahoo/ alphavantage/ stooq/")
    p.add_argument("--port-file", required=True, help="written with the port once listening")
    p.add_argument("--config", help="JSON file: map overrides and faults")
    p.add_argument("--delay", type=float, default=0.0, help="seconds added to every answer")
    p.add_argument("--log", help="append one JSON line per request")
    args = p.parse_args()
    if not os.path.isdir(args.fixtures):
        die("%s: not a directory" % args.fixtures)
    Handler.state = State(args)
    server = Server(("127.0.0.1", 0), Handler)

    tmp = "%s.tmp.%d" % (args.port_file, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, args.port_file)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        try:
            os.unlink(args.port_file)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
