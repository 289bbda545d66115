# syntax=docker/dockerfile:1
# carbonx: multi-stage image. Stage 1 builds the server (C++20, Ninja) and the web app (Vite,
# the pinned Node 22 that tools/deps.sh installs); stage 2 is Debian slim with only the shared
# libraries the binary links (from `ldd build/app/carbonx` mapped with `dpkg -S`), the web app
# and the contract deployment files. Not built here (no Docker engine on the build machine):
# `docker build -t carbonx .` wherever one runs.
FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates npm make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY tools/deps.sh tools/env.sh tools/
RUN bash tools/deps.sh
COPY . .
RUN cmake -S backend -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    && ninja -C build carbonx \
    && strip --strip-debug build/app/carbonx
RUN . tools/env.sh && cd frontend && npm ci --no-audit --no-fund && npx vite build --logLevel warn

FROM debian:12-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      ca-certificates libargon2-1 libb64-0d libboost-json1.81.0 libboost-url1.81.0 libcrypto++8 \
      libdmlc0 libgomp1 libjansson4 libjwt0 liboath0 libqrencode4 libquickfix17 libsecp256k1-1 \
      libsqlite3-0 libssl3 libxgboost0 libpq5 libhiredis0.14 postgresql-client curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/carbonx --create-home carbonx
COPY --from=build /src/build/app/carbonx /usr/local/bin/carbonx
COPY --from=build /src/frontend/dist /usr/share/carbonx/web
COPY --from=build /src/blockchain/deployments /usr/share/carbonx/deployments
USER carbonx
WORKDIR /var/lib/carbonx
VOLUME ["/var/lib/carbonx"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["/usr/local/bin/carbonx"]
CMD ["serve", "--data", "/var/lib/carbonx", "--listen", "0.0.0.0:8080", "--static", "/usr/share/carbonx/web"]
