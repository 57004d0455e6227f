# syntax=docker/dockerfile:1
# The statistics + chat service. Stage 1 builds a virtual environment with Debian 12's Python 3.11, the same
# interpreter (/usr/bin/python3.11) the distroless runtime image ships, so the venv's links resolve there.
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install --no-install-recommends -y python3-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.txt requirements-serve.txt requirements-nodeps.txt ./
# Only what the service imports, at the versions pinned in requirements.txt (used as constraints; pip refuses extras
# in a constraints file, hence the sed).
RUN sed 's/\[[^]]*\]//' requirements.txt > /tmp/constraints.txt \
 && python3 -m venv /venv \
 && /venv/bin/pip install -r requirements-serve.txt -c /tmp/constraints.txt \
 && /venv/bin/pip install --no-deps -r requirements-nodeps.txt
COPY medialake /app/medialake
COPY service /app/service

# Stage 2: no shell, no package manager, non-root (uid 65532).
FROM gcr.io/distroless/python3-debian12:nonroot
COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MEDIALAKE_HOST=0.0.0.0 \
    MEDIALAKE_PORT=8000 \
    MEDIALAKE_LAKEHOUSE_DIR=/data/lakehouse
USER 65532:65532
EXPOSE 8000
# No curl in distroless: the probe is Python itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["/venv/bin/python", "-m", "service.serve"]
