# Five Teams Bot in webhook mode, as docker-compose.yml runs it (docs/deploy.md).
FROM python:3.11-slim

# the ranking charts label villages and teams in Chinese: without a CJK font they fall back to unit codes
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    WEBHOOK__LISTEN_HOST=0.0.0.0 \
    WEBHOOK__LISTEN_PORT=8080

WORKDIR /app
COPY . .
# As the Makefile does (without the test extras). main.py runs from /app, so config.toml, alembic.ini and
# migrations/ are found beside it; the install brings the pinned dependencies.
RUN pip install . \
    && useradd --system --home-dir /app --no-create-home bot \
    && mkdir -p data \
    && chown bot data
USER bot

EXPOSE 8080
CMD ["sh", "-c", "python main.py db upgrade && exec python main.py run --webhook"]
