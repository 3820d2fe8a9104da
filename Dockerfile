# syntax=docker/dockerfile:1
# A small image: build a wheel in one stage, install it into a clean slim image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/p2p.db \
    PORT=3000 \
    P2P_MODE=serve
RUN useradd --system --uid 10001 --home-dir /app p2p \
    && mkdir -p /app /data && chown p2p /data
WORKDIR /app
COPY --from=build /wheels /wheels
# The wheel carries the migrations: p2p-bot migrate works from any folder.
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER p2p
VOLUME ["/data"]
EXPOSE 3000
# HTTP mode answers GET /healthz (200 when the database answers). Socket Mode has no HTTP
# server, so there the check only proves the container runs. The start period covers the
# migrations and Slack's auth.test before the server listens.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD [ "$P2P_MODE" = socket ] || python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
# Migrations, then the bot (exec: it gets SIGTERM directly). P2P_MODE=socket for Socket Mode.
CMD ["sh", "-c", "p2p-bot migrate && exec p2p-bot \"$P2P_MODE\""]
