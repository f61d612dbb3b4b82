"""gunicorn's settings for production (`gunicorn -c gunicorn.conf.py wsgi:app`), each overridable from the environment."""
import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Processes: WEB_CONCURRENCY, else 2 × cores + 1 (gunicorn's rule of thumb for a mostly-waiting web app).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# gthread: a streamed chat answer holds a thread, not a whole worker process, while the model replies (it waits
# on the model's socket almost all the time). 16 threads × (2 × cores + 1) processes: 80 chats streaming at once
# on 2 cores (bench/chat_streams.py). Each process keeps at most 15 database connections (SQLAlchemy's pool), and a
# stream holds none while it waits for the model: mind PostgreSQL's max_connections when raising either.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))          # a stuck worker is replaced after this
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # deploys let requests finish
keepalive = 5                                                      # behind a load balancer that reuses connections
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # recycle workers: bounds slow leaks
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The request id the app sends back (X-Request-ID) is the one on its log lines: one id joins both.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


def _metrics_dir():
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(directory) if directory else None


def on_starting(server):
    """Start with an empty Prometheus directory: files of a previous run's processes would count twice."""
    directory = _metrics_dir()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that exits stops counting in live gauges; its counters and histograms stay in the totals."""
    if _metrics_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
