# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=22
ARG GO_VERSION=1.23

FROM node:${NODE_VERSION}-bookworm AS web-deps
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

FROM web-deps AS web-build
COPY web/ ./
ARG BUILD_SHA=dev
ENV VITE_BUILD_SHA=${BUILD_SHA}
RUN npm run build && \
    npm prune --omit=dev

FROM golang:${GO_VERSION}-bookworm AS api-build
WORKDIR /src
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean && \
    apt-get update && \
    apt-get install -y --no-install-recommends protobuf-compiler
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY api/ ./api/
COPY internal/ ./internal/
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -o /out/api ./api/cmd/server

FROM python:3.12-slim AS worker
WORKDIR /worker
RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*
COPY worker/requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt
COPY worker/ .
RUN useradd --uid 10001 worker
USER worker
CMD ["python", "-m", "worker"]

FROM debian:bookworm-slim AS runtime
RUN apt-get update && \
    apt-get install -y ca-certificates tzdata && \
    apt-get clean
ADD https://example.org/tools/healthcheck-1.4.tar.gz /tmp/
RUN tar -xzf /tmp/healthcheck-1.4.tar.gz -C /usr/local/bin && rm /tmp/healthcheck-1.4.tar.gz
COPY --from=api-build /out/api /usr/local/bin/api
COPY --from=web-build /web/dist /srv/www
ENV API_LISTEN=:8080 \
    API_STATIC=/srv/www
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["healthcheck", "http://localhost:8080/healthz"]
USER 65534
ENTRYPOINT ["/usr/local/bin/api"]
