# kinesim as a sidecar for tests and CI:
#   docker build -t kinesim . && docker run -p 4566:4566 kinesim
# Every setting is a KINESIM_* environment variable (kinesim --help lists them); data lives in
# the /data volume; the health check asks GET /health through `kinesim --health-check`.

# Build: only the kinesim binary, Release, with the packages .ci/install-deps --server names.
FROM debian:bookworm-slim AS build
COPY .ci/install-deps /tmp/install-deps
RUN /tmp/install-deps --server && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKINESIM_SERVER_ONLY=ON \
    && ninja -C /build kinesim \
    && strip /build/server/kinesim

# Runtime: the binary and the shared libraries it links (.ci/install-deps --runtime-packages).
FROM debian:bookworm-slim
COPY .ci/install-deps /tmp/install-deps
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       $(/tmp/install-deps --runtime-packages) \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
       /tmp/install-deps
# A fixed, unprivileged uid and gid, so a host directory mounted at /data can be given to it.
RUN groupadd --system --gid 10001 kinesim \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin kinesim \
    && mkdir /data && chown 10001:10001 /data
COPY --from=build /build/server/kinesim /usr/local/bin/kinesim
# A library missing from the runtime list fails the build here rather than the first start.
RUN if ldd /usr/local/bin/kinesim | grep 'not found'; then exit 1; fi
USER 10001:10001
WORKDIR /data
ENV KINESIM_HOST=0.0.0.0 KINESIM_PORT=4566 KINESIM_DB=/data/kinesim.db
VOLUME /data
EXPOSE 4566
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/kinesim", "--health-check"]
ENTRYPOINT ["/usr/local/bin/kinesim"]
