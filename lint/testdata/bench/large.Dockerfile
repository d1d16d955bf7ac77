# syntax=docker/dockerfile:1.7
# A monorepo of services, each built in its own stages.
ARG BASE_DEBIAN=debian:bookworm-slim
ARG REGISTRY_MIRROR

FROM node:22-alpine AS billing-deps
WORKDIR /app/billing
COPY services/billing/package.json services/billing/yarn.lock ./
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn \
    yarn install --frozen-lockfile
FROM billing-deps AS billing-build
COPY services/billing/ ./
RUN yarn build && yarn cache clean
RUN npm install -g pm2@5
ENV NODE_ENV=production PORT=3000

FROM ${BASE_DEBIAN} AS billing
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r billing && useradd -r -g billing -u 1000 billing
WORKDIR /opt/billing
ADD https://example.org/releases/billing/config-0.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=billing-build --chown=billing:billing /out* /opt/billing/bin/
COPY services/billing/config/ /etc/billing/
ARG BILLING_VERSION=0.0.0
LABEL org.opencontainers.image.title="billing" \
      org.opencontainers.image.version="${BILLING_VERSION}"
ENV BILLING_HOME=/opt/billing \
    BILLING_LOG_LEVEL=info \
    BILLING_PORT=8000
RUN mkdir -p /var/lib/billing /var/log/billing && chown -R billing:billing /var/lib/billing /var/log/billing
VOLUME /var/lib/billing
EXPOSE 8000/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8000/health || exit 1
USER billing
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/billing/bin/billing", "serve"]

FROM golang:1.23-alpine AS catalog-build
RUN apk add --no-cache git make
WORKDIR /src/catalog
COPY services/catalog/go.mod services/catalog/go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY services/catalog/ ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags='-s -w' -o /out/catalog ./cmd/catalog
RUN go install github.com/example/migrate@v1.2.3

FROM ${BASE_DEBIAN} AS catalog
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r catalog && useradd -r -g catalog -u 1001 catalog
WORKDIR /opt/catalog
ADD https://example.org/releases/catalog/config-1.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=catalog-build --chown=catalog:catalog /out* /opt/catalog/bin/
COPY services/catalog/config/ /etc/catalog/
ARG CATALOG_VERSION=0.1.0
LABEL org.opencontainers.image.title="catalog" \
      org.opencontainers.image.version="${CATALOG_VERSION}"
ENV CATALOG_HOME=/opt/catalog \
    CATALOG_LOG_LEVEL=info \
    CATALOG_PORT=8001
RUN mkdir -p /var/lib/catalog /var/log/catalog && chown -R catalog:catalog /var/lib/catalog /var/log/catalog
VOLUME /var/lib/catalog
EXPOSE 8001/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8001/health || exit 1
USER catalog
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/catalog/bin/catalog", "serve"]

FROM python:3.12-slim AS search-build
WORKDIR /opt/search
RUN apt-get update && apt-get install -y build-essential libpq-dev
COPY services/search/pyproject.toml services/search/poetry.lock ./
RUN pip install poetry==1.8.3 && poetry config virtualenvs.in-project true
RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root --only main
COPY services/search/ ./
RUN poetry install --only-root
ENV PATH=/opt/search/.venv/bin:$PATH

FROM ${BASE_DEBIAN} AS search
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r search && useradd -r -g search -u 1002 search
WORKDIR /opt/search
ADD https://example.org/releases/search/config-2.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=search-build --chown=search:search /out* /opt/search/bin/
COPY services/search/config/ /etc/search/
ARG SEARCH_VERSION=0.2.0
LABEL org.opencontainers.image.title="search" \
      org.opencontainers.image.version="${SEARCH_VERSION}"
ENV SEARCH_HOME=/opt/search \
    SEARCH_LOG_LEVEL=info \
    SEARCH_PORT=8002
RUN mkdir -p /var/lib/search /var/log/search && chown -R search:search /var/lib/search /var/log/search
VOLUME /var/lib/search
EXPOSE 8002/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8002/health || exit 1
USER search
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/search/bin/search", "serve"]

FROM maven:3-eclipse-temurin-21 AS gateway-build
WORKDIR /build/gateway
COPY services/gateway/pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B dependency:go-offline
COPY services/gateway/src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B package -DskipTests
RUN cp target/gateway-*.jar /app.jar

FROM ${BASE_DEBIAN} AS gateway
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r gateway && useradd -r -g gateway -u 1003 gateway
WORKDIR /opt/gateway
ADD https://example.org/releases/gateway/config-3.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=gateway-build --chown=gateway:gateway /out* /opt/gateway/bin/
COPY services/gateway/config/ /etc/gateway/
ARG GATEWAY_VERSION=0.3.0
LABEL org.opencontainers.image.title="gateway" \
      org.opencontainers.image.version="${GATEWAY_VERSION}"
ENV GATEWAY_HOME=/opt/gateway \
    GATEWAY_LOG_LEVEL=info \
    GATEWAY_PORT=8003
RUN mkdir -p /var/lib/gateway /var/log/gateway && chown -R gateway:gateway /var/lib/gateway /var/log/gateway
VOLUME /var/lib/gateway
EXPOSE 8003/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8003/health || exit 1
USER gateway
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/gateway/bin/gateway", "serve"]

FROM ruby:3.3 AS notify-build
WORKDIR /srv/notify
COPY services/notify/Gemfile services/notify/Gemfile.lock ./
RUN bundle config set deployment true && bundle install --jobs 4
COPY services/notify/ ./
RUN bundle exec rake assets:precompile
RUN rm -rf /usr/local/bundle/cache

FROM ${BASE_DEBIAN} AS notify
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r notify && useradd -r -g notify -u 1004 notify
WORKDIR /opt/notify
ADD https://example.org/releases/notify/config-4.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=notify-build --chown=notify:notify /out* /opt/notify/bin/
COPY services/notify/config/ /etc/notify/
ARG NOTIFY_VERSION=0.4.0
LABEL org.opencontainers.image.title="notify" \
      org.opencontainers.image.version="${NOTIFY_VERSION}"
ENV NOTIFY_HOME=/opt/notify \
    NOTIFY_LOG_LEVEL=info \
    NOTIFY_PORT=8004
RUN mkdir -p /var/lib/notify /var/log/notify && chown -R notify:notify /var/lib/notify /var/log/notify
VOLUME /var/lib/notify
EXPOSE 8004/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8004/health || exit 1
USER notify
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/notify/bin/notify", "serve"]

FROM rust:1.81 AS reports-build
WORKDIR /usr/src/reports
COPY services/reports/Cargo.toml services/reports/Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release && rm -rf src
COPY services/reports/src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/src/target \
    cargo build --release && cp target/release/reports /out-reports

FROM ${BASE_DEBIAN} AS reports
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r reports && useradd -r -g reports -u 1005 reports
WORKDIR /opt/reports
ADD https://example.org/releases/reports/config-5.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=reports-build --chown=reports:reports /out* /opt/reports/bin/
COPY services/reports/config/ /etc/reports/
ARG REPORTS_VERSION=0.5.0
LABEL org.opencontainers.image.title="reports" \
      org.opencontainers.image.version="${REPORTS_VERSION}"
ENV REPORTS_HOME=/opt/reports \
    REPORTS_LOG_LEVEL=info \
    REPORTS_PORT=8005
RUN mkdir -p /var/lib/reports /var/log/reports && chown -R reports:reports /var/lib/reports /var/log/reports
VOLUME /var/lib/reports
EXPOSE 8005/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8005/health || exit 1
USER reports
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/reports/bin/reports", "serve"]

FROM php:8.3-fpm AS auth-build
RUN apt-get update && apt-get install -y unzip libzip-dev && docker-php-ext-install zip
COPY --from=composer:2 /usr/bin/composer /usr/bin/composer
WORKDIR /var/www/auth
COPY services/auth/composer.json services/auth/composer.lock ./
RUN composer install --no-dev --no-scripts
COPY services/auth/ ./
RUN composer dump-autoload --optimize

FROM ${BASE_DEBIAN} AS auth
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r auth && useradd -r -g auth -u 1006 auth
WORKDIR /opt/auth
ADD https://example.org/releases/auth/config-6.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=auth-build --chown=auth:auth /out* /opt/auth/bin/
COPY services/auth/config/ /etc/auth/
ARG AUTH_VERSION=0.6.0
LABEL org.opencontainers.image.title="auth" \
      org.opencontainers.image.version="${AUTH_VERSION}"
ENV AUTH_HOME=/opt/auth \
    AUTH_LOG_LEVEL=info \
    AUTH_PORT=8006
RUN mkdir -p /var/lib/auth /var/log/auth && chown -R auth:auth /var/lib/auth /var/log/auth
VOLUME /var/lib/auth
EXPOSE 8006/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8006/health || exit 1
USER auth
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/auth/bin/auth", "serve"]

FROM mcr.microsoft.com/dotnet/sdk:8.0 AS media-build
WORKDIR /src/media
COPY services/media/*.csproj ./
RUN --mount=type=cache,target=/root/.nuget/packages dotnet restore
COPY services/media/ ./
RUN dotnet publish -c Release -o /out --no-restore

FROM ${BASE_DEBIAN} AS media
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r media && useradd -r -g media -u 1007 media
WORKDIR /opt/media
ADD https://example.org/releases/media/config-7.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=media-build --chown=media:media /out* /opt/media/bin/
COPY services/media/config/ /etc/media/
ARG MEDIA_VERSION=0.7.0
LABEL org.opencontainers.image.title="media" \
      org.opencontainers.image.version="${MEDIA_VERSION}"
ENV MEDIA_HOME=/opt/media \
    MEDIA_LOG_LEVEL=info \
    MEDIA_PORT=8007
RUN mkdir -p /var/lib/media /var/log/media && chown -R media:media /var/lib/media /var/log/media
VOLUME /var/lib/media
EXPOSE 8007/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8007/health || exit 1
USER media
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/media/bin/media", "serve"]

FROM node:22-alpine AS orders-deps
WORKDIR /app/orders
COPY services/orders/package.json services/orders/yarn.lock ./
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn \
    yarn install --frozen-lockfile
FROM orders-deps AS orders-build
COPY services/orders/ ./
RUN yarn build && yarn cache clean
RUN npm install -g pm2@5
ENV NODE_ENV=production PORT=3008

FROM ${BASE_DEBIAN} AS orders
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r orders && useradd -r -g orders -u 1008 orders
WORKDIR /opt/orders
ADD https://example.org/releases/orders/config-8.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=orders-build --chown=orders:orders /out* /opt/orders/bin/
COPY services/orders/config/ /etc/orders/
ARG ORDERS_VERSION=0.8.0
LABEL org.opencontainers.image.title="orders" \
      org.opencontainers.image.version="${ORDERS_VERSION}"
ENV ORDERS_HOME=/opt/orders \
    ORDERS_LOG_LEVEL=info \
    ORDERS_PORT=8008
RUN mkdir -p /var/lib/orders /var/log/orders && chown -R orders:orders /var/lib/orders /var/log/orders
VOLUME /var/lib/orders
EXPOSE 8008/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8008/health || exit 1
USER orders
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/orders/bin/orders", "serve"]

FROM golang:1.23-alpine AS inventory-build
RUN apk add --no-cache git make
WORKDIR /src/inventory
COPY services/inventory/go.mod services/inventory/go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY services/inventory/ ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags='-s -w' -o /out/inventory ./cmd/inventory
RUN go install github.com/example/migrate@v1.2.3

FROM ${BASE_DEBIAN} AS inventory
RUN apt-get update && apt-get upgrade -y && \
    apt-get install -y --no-install-recommends ca-certificates curl tini && \
    rm -rf /var/lib/apt/lists/*
RUN groupadd -r inventory && useradd -r -g inventory -u 1009 inventory
WORKDIR /opt/inventory
ADD https://example.org/releases/inventory/config-9.tar.gz /tmp/config.tar.gz
RUN tar -xzf /tmp/config.tar.gz -C /opt && rm /tmp/config.tar.gz
COPY --from=inventory-build --chown=inventory:inventory /out* /opt/inventory/bin/
COPY services/inventory/config/ /etc/inventory/
ARG INVENTORY_VERSION=0.9.0
LABEL org.opencontainers.image.title="inventory" \
      org.opencontainers.image.version="${INVENTORY_VERSION}"
ENV INVENTORY_HOME=/opt/inventory \
    INVENTORY_LOG_LEVEL=info \
    INVENTORY_PORT=8009
RUN mkdir -p /var/lib/inventory /var/log/inventory && chown -R inventory:inventory /var/lib/inventory /var/log/inventory
VOLUME /var/lib/inventory
EXPOSE 8009/tcp
HEALTHCHECK --interval=20s --timeout=3s CMD curl -fsS http://localhost:8009/health || exit 1
USER inventory
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/opt/inventory/bin/inventory", "serve"]

FROM node:22 AS e2e
WORKDIR /e2e
COPY e2e/package.json e2e/package-lock.json ./
RUN npm ci
COPY e2e/ ./
COPY --from=billing /opt/billing/bin /services/billing/bin
RUN npm run test:billing -- --reporter dot
COPY --from=catalog /opt/catalog/bin /services/catalog/bin
RUN npm run test:catalog -- --reporter dot
COPY --from=search /opt/search/bin /services/search/bin
RUN npm run test:search -- --reporter dot
COPY --from=gateway /opt/gateway/bin /services/gateway/bin
RUN npm run test:gateway -- --reporter dot
COPY --from=notify /opt/notify/bin /services/notify/bin
RUN npm run test:notify -- --reporter dot
COPY --from=reports /opt/reports/bin /services/reports/bin
RUN npm run test:reports -- --reporter dot
COPY --from=auth /opt/auth/bin /services/auth/bin
RUN npm run test:auth -- --reporter dot
COPY --from=media /opt/media/bin /services/media/bin
RUN npm run test:media -- --reporter dot
COPY --from=orders /opt/orders/bin /services/orders/bin
RUN npm run test:orders -- --reporter dot
COPY --from=inventory /opt/inventory/bin /services/inventory/bin
RUN npm run test:inventory -- --reporter dot
RUN echo 'checking billing #0' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #1' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #2' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #3' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #4' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #5' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #6' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #7' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #8' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #9' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #10' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #11' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #12' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #13' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #14' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #15' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #16' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #17' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #18' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #19' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #20' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #21' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #22' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #23' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #24' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #25' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #26' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #27' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #28' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #29' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #30' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #31' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #32' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #33' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #34' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #35' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #36' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #37' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #38' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #39' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #40' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #41' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #42' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #43' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #44' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #45' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #46' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #47' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #48' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #49' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #50' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #51' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #52' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #53' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #54' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #55' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #56' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #57' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #58' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #59' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #60' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #61' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #62' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #63' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #64' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #65' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #66' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #67' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #68' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #69' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #70' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #71' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #72' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #73' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #74' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #75' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #76' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #77' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #78' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #79' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #80' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #81' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #82' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #83' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #84' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #85' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #86' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #87' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #88' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #89' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #90' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #91' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #92' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #93' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #94' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #95' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #96' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #97' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #98' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #99' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #100' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #101' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #102' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #103' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #104' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #105' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #106' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #107' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #108' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #109' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #110' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #111' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #112' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #113' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #114' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #115' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #116' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #117' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #118' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #119' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #120' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #121' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #122' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #123' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #124' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #125' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #126' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #127' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #128' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #129' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #130' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #131' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #132' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #133' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #134' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #135' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #136' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #137' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #138' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #139' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #140' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #141' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #142' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #143' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #144' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #145' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #146' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #147' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #148' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #149' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #150' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #151' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #152' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #153' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #154' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #155' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #156' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #157' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #158' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #159' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #160' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #161' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #162' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #163' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #164' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #165' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #166' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #167' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #168' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #169' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #170' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #171' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #172' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #173' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #174' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #175' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #176' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #177' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #178' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #179' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #180' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #181' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #182' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #183' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #184' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #185' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #186' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #187' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #188' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #189' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #190' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #191' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #192' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #193' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #194' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #195' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #196' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #197' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #198' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #199' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #200' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #201' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #202' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #203' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #204' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #205' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #206' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #207' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #208' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #209' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #210' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #211' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #212' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #213' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #214' && test -x /services/notify/bin/notify || echo 'no binary for notify'
RUN echo 'checking reports #215' && test -x /services/reports/bin/reports || echo 'no binary for reports'
RUN echo 'checking auth #216' && test -x /services/auth/bin/auth || echo 'no binary for auth'
RUN echo 'checking media #217' && test -x /services/media/bin/media || echo 'no binary for media'
RUN echo 'checking orders #218' && test -x /services/orders/bin/orders || echo 'no binary for orders'
RUN echo 'checking inventory #219' && test -x /services/inventory/bin/inventory || echo 'no binary for inventory'
RUN echo 'checking billing #220' && test -x /services/billing/bin/billing || echo 'no binary for billing'
RUN echo 'checking catalog #221' && test -x /services/catalog/bin/catalog || echo 'no binary for catalog'
RUN echo 'checking search #222' && test -x /services/search/bin/search || echo 'no binary for search'
RUN echo 'checking gateway #223' && test -x /services/gateway/bin/gateway || echo 'no binary for gateway'
RUN echo 'checking notify #224' && test -x /services/notify/bin/notify || echo 'no binary for notify'
