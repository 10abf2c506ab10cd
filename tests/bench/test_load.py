"""The load generators' requests and the Python fallback, without the platform."""

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import load


def spec(**changes) -> load.RequestSpec:
    values = {
        "method": "POST",
        "path": "/evenements/{event}/inscription/",
        "body": "csrfmiddlewaretoken={csrf}&idempotency_key={uuid}&text=n%C2%B0+{n}",
        "expect": 302,
        "sessions": [("sessionid=a", "token-a"), ("sessionid=b", "token-b")],
        "events": ["11", "12", "13"],
    }
    return load.RequestSpec(**(values | changes))


def test_an_account_never_registers_twice_to_the_same_event_before_every_pair_is_used():
    requests = [spec().build(i) for i in range(6)]

    pairs = {(headers["Cookie"], path) for path, headers, _body in requests}
    assert len(pairs) == 6


def test_consecutive_registrations_go_to_different_events():
    paths = [spec().build(i)[0] for i in range(4)]

    assert all(a != b for a, b in zip(paths, paths[1:], strict=False))


def test_each_post_carries_its_sessions_form_token_a_fresh_key_and_its_number():
    first_path, first_headers, first = spec(events=[]).build(0)
    _path, second_headers, second = spec(events=[]).build(1)

    assert first.startswith(b"csrfmiddlewaretoken=token-a&idempotency_key=")
    assert second.startswith(b"csrfmiddlewaretoken=token-b&")
    assert first.split(b"&")[1] != second.split(b"&")[1]
    assert first.endswith(b"n%C2%B0+0") and second.endswith(b"n%C2%B0+1")
    assert first_headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert first_headers["Cookie"] == "sessionid=a"


def test_the_request_file_of_wrk_holds_the_offset_of_the_run(tmp_path):
    written = spec(offset=250).write(tmp_path / "request.tsv", threads=2).read_text()

    assert "offset\t250\n" in written
    assert "session\tsessionid=b\ttoken-b\n" in written
    assert "event\t13\n" in written


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the name http.server calls
        body = b"ok" if self.path == "/" else b"missing"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_python_fallback_measures_throughput_and_latency(tiny_server):
    measure = load.run_python(tiny_server, load.RequestSpec("GET", "/"), seconds=1, connections=4)

    assert measure.requests > 10
    assert measure.unexpected == 0 and measure.error_rate == 0
    assert 0 < measure.p50_ms <= measure.p99_ms
    assert measure.statuses == {"200": measure.requests}


def test_the_python_fallback_counts_unexpected_statuses_as_errors(tiny_server):
    measure = load.run_python(
        tiny_server, load.RequestSpec("GET", "/nowhere"), seconds=1, connections=2
    )

    assert measure.expected == 0
    assert measure.error_rate == 1.0


def test_a_paced_load_waits_between_requests_on_each_connection(tiny_server):
    measure = load.run_python(
        tiny_server, load.RequestSpec("GET", "/", pace_ms=100), seconds=1, connections=2
    )

    # Two connections, one request every 100 ms each: about 20 in a second, never hundreds.
    assert 10 <= measure.requests <= 22
    assert measure.error_rate == 0


@pytest.mark.needs("wrk")
def test_wrk_paces_its_requests_as_the_request_file_says(tmp_path, tiny_server):
    measure = load.run_wrk(
        shutil.which("wrk"),
        tiny_server,
        load.RequestSpec("GET", "/", pace_ms=100),
        seconds=1,
        connections=2,
        threads=1,
        workdir=tmp_path,
    )

    assert 10 <= measure.requests <= 22
    assert measure.error_rate == 0


def test_posts_without_an_event_take_every_session_in_turn():
    posts = spec(path="/expressions/nouvelle/")

    cookies = [posts.build(i)[1]["Cookie"] for i in range(4)]

    assert cookies == ["sessionid=a", "sessionid=b", "sessionid=a", "sessionid=b"]


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.seen.append((self.path, self.headers.get("Cookie"), body))
        self.send_response(302)
        self.send_header("Location", "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.needs("wrk")
def test_wrk_sends_the_requests_the_python_fallback_would(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.seen = []
    try:
        measure = load.run_wrk(
            shutil.which("wrk"),
            server.server_address[1],
            spec(offset=5),
            seconds=1,
            connections=1,
            threads=1,
            workdir=tmp_path,
        )
    finally:
        server.shutdown()
        server.server_close()

    assert measure.expected == measure.requests > 3
    for index, (path, cookie, body) in enumerate(_Recorder.seen[:6]):
        want_path, want_headers, want_body = spec().build(5 + index)
        assert (path, cookie) == (want_path, want_headers["Cookie"])
        key = want_body.split(b"&")[1]
        assert body.split(b"&")[0] == want_body.split(b"&")[0]
        assert body.split(b"&")[1] != key and len(body.split(b"&")[1]) == len(key)
        assert body.split(b"&")[2] == want_body.split(b"&")[2]
