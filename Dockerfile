# The gateway against an external PostgreSQL: set DATABASE_URL (and DATABASE_OWNER_URL for migrations).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY pyproject.toml README.md schema.graphql ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
COPY loaders ./loaders
RUN pip install . && rm -rf /root/.cache

USER gateway
ENV GATEWAY_ENV=production GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# `serve` applies the migrations, then serves.
CMD ["sales-gateway", "serve"]
