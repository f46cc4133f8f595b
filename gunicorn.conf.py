"""gunicorn settings for `make serve`; every value can be changed by the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"


def post_worker_init(worker: object) -> None:
    """Once the worker has loaded the app, set what it loaded aside from the cyclic garbage
    collector. The app's routes, mappers, templates and translations (some 200,000 objects)
    live as long as the worker; without this, every full collection walks them all (about
    100 ms in which the worker answers nothing, once every few thousand requests)."""
    import gc

    gc.collect()
    gc.freeze()
