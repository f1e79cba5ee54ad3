# Taskflow: one image for web (gunicorn), worker and beat (celery), and the release step
# (migrate). Production settings: the keys and URLs come from the environment at run time
# (see .env.example and docker-compose.yml); nothing secret is baked into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    PORT=8000

WORKDIR /app

# A system user without a login shell or home of its own: the processes never run as root.
RUN groupadd --system --gid 10001 taskflow \
    && useradd --system --uid 10001 --gid taskflow --no-create-home --home-dir /app \
       --shell /usr/sbin/nologin taskflow

# Dependencies first: this layer is rebuilt only when requirements.txt changes. Every pinned
# package ships a manylinux wheel (psycopg[binary], bcrypt, cryptography): no compiler needed.
COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt

COPY . .

# Static files (admin, API docs) with hashed names, served by whitenoise. Production settings
# refuse to load without their keys and URLs: throwaway values, used for this step only.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-only-throwaway-key-not-used-at-run-time \
    JWT_SIGNING_KEY=collectstatic-only-throwaway-key-not-used-at-run-time \
    FIELD_ENCRYPTION_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput \
    && mkdir -p var \
    && chown -R taskflow:taskflow var

USER taskflow

EXPOSE 8000

# /healthz answers without the database; the Host header is the first of ALLOWED_HOSTS (any
# other host gets a 400 from Django), and /healthz is exempt from the https redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; request = urllib.request.Request(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz\", headers={'Host': host}); urllib.request.urlopen(request, timeout=4)"

# The web process; compose runs worker, beat and release from the same image with other commands.
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-2} --access-logfile - --forwarded-allow-ips=${FORWARDED_ALLOW_IPS:-127.0.0.1}"]
