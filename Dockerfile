# Production image: gunicorn web and the huey worker share it. Non-root, static files collected at build.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AHSP_DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system ahsp && useradd --system --gid ahsp --home /app ahsp

WORKDIR /app
# The runtime lock: every package pinned with its hashes (`make lock` regenerates it).
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY --chown=ahsp:ahsp . .
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only DEBUG=0 python manage.py compilemessages --ignore=.venv \
    && mkdir -p /data && chown -R ahsp:ahsp /data /app

USER ahsp
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# Migrations are not run here: every replica would race to apply them. docker-compose runs them once in
# its `migrate` service before any web or worker node starts; elsewhere run `python manage.py migrate` first.
CMD ["sh", "-c", "exec gunicorn project.wsgi --bind 0.0.0.0:8000 --workers ${WEB_WORKERS:-3} --threads ${WEB_THREADS:-4} --worker-class gthread --timeout 60 --access-logfile -"]
