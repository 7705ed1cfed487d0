"""gunicorn settings for Awn on a small machine: ``gunicorn awn.wsgi:application -c src/awn/gunicorn.conf.py``.

One process per core, two threads each (gthread): a turn is mostly CPU in Python, so more threads
only add GIL contention (8 threads: fewer turns per second and a worse p99 in bench/chat_http.py),
but a second thread hides the database round trips. Each process loads the language
engine once (``preload_app`` would share it copy-on-write, but Django and the engine load lazily,
so it would gain little and make ``--reload`` impossible). Keep-alive connections spare the
buyer's client a TCP handshake per message. Override any of these on the command line or with
``GUNICORN_CMD_ARGS``; use ``AWN_DB_CONN_MAX_AGE=60`` so that each thread keeps its database
connection between requests.
"""

import multiprocessing
import os

workers = int(os.environ.get("AWN_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("AWN_WEB_THREADS", "2"))
keepalive = 30
backlog = 2048
timeout = 60
graceful_timeout = 20
max_requests = 0
loglevel = os.environ.get("AWN_WEB_LOG_LEVEL", "warning")
