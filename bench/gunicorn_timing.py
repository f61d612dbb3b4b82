"""Bench-only gunicorn settings (`-c bench/gunicorn_timing.py`): each request's server wall time and the worker's
CPU time (time.process_time: this process only, so other programs on a busy machine do not count) are appended,
one line "wall_ms cpu_ms" per request, to the file named by BENCH_TIMING_FILE. post_request runs after the whole
body was written (a streamed export included). Nothing is added to the response: the product is unchanged."""
import os
import time

_started: dict[int, tuple[float, float]] = {}


def pre_request(worker, req):
    _started[id(req)] = (time.perf_counter(), time.process_time())


def post_request(worker, req, environ, resp):
    wall, cpu = _started.pop(id(req), (None, None))
    if wall is None:
        return
    line = f"{(time.perf_counter() - wall) * 1000:.3f} {(time.process_time() - cpu) * 1000:.3f}\n"
    with open(os.environ["BENCH_TIMING_FILE"], "a") as timings:
        timings.write(line)
