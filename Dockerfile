# The dashboard's image: web (gunicorn) and worker (python -m dashboard.jobs) run from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=wsgi.py \
    INSTANCE_PATH=/app/instance \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# Not root: the code is read-only to the user that runs it; only instance/ (local uploads, outbox) is writable.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin angelcx
COPY . .
RUN mkdir -p /app/instance /tmp/prometheus && chown angelcx /app/instance /tmp/prometheus
USER angelcx

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
