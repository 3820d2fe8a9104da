# syntax=docker/dockerfile:1
# A small image: build a wheel in one stage, install it into a clean slim image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/p2p.db \
    PORT=3000
RUN useradd --system --uid 10001 --home-dir /app p2p \
    && mkdir -p /app /data && chown p2p /data
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# p2p-bot finds migrations/ in its working directory.
COPY alembic.ini ./
COPY migrations ./migrations
USER p2p
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
# Migrations, then the server (exec: the server gets SIGTERM directly).
CMD ["sh", "-c", "p2p-bot migrate && exec p2p-bot serve"]
