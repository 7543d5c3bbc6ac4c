# RAI Chat: one image for both the RAI API and the LLM Engine (docker-compose.yml runs it
# twice with different commands). Build: `docker compose build` (first build ~10 min:
# llama.cpp compiles).

# --- the web page -------------------------------------------------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/RAI_Chat/frontend
COPY RAI_Chat/frontend/package.json RAI_Chat/frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY RAI_Chat/frontend/ ./
RUN npm run build

# --- Python: API + engine ----------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RAI_DATA_DIR=/app/data \
    RAI_INSTANCE_DIR=/var/lib/rai/instance \
    RAI_LOGS_DIR=/var/lib/rai/logs \
    HF_HUB_OFFLINE=1

# build-essential + cmake: llama-cpp-python compiles llama.cpp.
# postgresql-client: `rai-admin backup/restore` runs pg_dump / pg_restore (version 15, as
# the postgres:15 service in docker-compose.yml).
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY llm_Engine ./llm_Engine
COPY RAI_Chat ./RAI_Chat
# llama.cpp for any CPU of the architecture, not the build machine's (see rai.sh).
ARG CMAKE_ARGS="-DGGML_NATIVE=OFF"
RUN pip install --upgrade "pip>=24" && CMAKE_ARGS="$CMAKE_ARGS" pip install -e . \
    && python -m llm_Engine.install
COPY --from=frontend /src/RAI_Chat/frontend/dist ./RAI_Chat/frontend/dist

RUN useradd --system --uid 10001 --home-dir /var/lib/rai --create-home rai \
    && mkdir -p /var/lib/rai/instance /var/lib/rai/logs /var/lib/rai/backups \
    && chown -R rai:rai /var/lib/rai
USER rai

EXPOSE 6102 6301
# The API (gunicorn + gevent). The engine: `python llm_Engine/llm_api_server.py`.
CMD ["python", "-m", "RAI_Chat.backend.wsgi"]
