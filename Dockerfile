# syntax=docker/dockerfile:1
# Basewatch: the Streamlit dashboard, one replica per container.
#   docker build -t basewatch .
#   docker run --rm -p 8501:8501 basewatch          # then open http://localhost:8501
# Several replicas behind nginx with sticky sessions: see deploy/README.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true

# An unprivileged user runs the app; the code stays owned by root and read-only for it.
RUN groupadd --system --gid 10001 basewatch \
 && useradd --system --uid 10001 --gid basewatch --create-home --home-dir /home/basewatch \
    --shell /usr/sbin/nologin basewatch

WORKDIR /app

# Dependencies first, so code edits do not reinstall them (the same pinned file Streamlit Cloud uses).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Only what the running app reads. `.streamlit/config.toml` is read from the working directory and
# `static/` is served next to app.py at /app/static; secrets are never copied (see .dockerignore).
COPY app.py launcher.py LICENSE CITATION.cff ./
COPY pages/ ./pages/
COPY basewatch/ ./basewatch/
COPY data/ ./data/
COPY static/ ./static/
COPY .streamlit/config.toml ./.streamlit/config.toml

USER basewatch

EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(0 if r.read().strip() == b'ok' else 1)"]

# The same command as `make run`. Streamlit stops cleanly on SIGTERM (docker stop).
CMD ["python", "-m", "basewatch.serve", "--server.port=8501", "--server.address=0.0.0.0"]
