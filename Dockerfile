# kinesim as a CI sidecar: docker run -p 4566:4566 kinesim
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ libboost1.81-dev rapidjson-dev libsqlite3-dev libssl-dev \
      libgtest-dev libnghttp2-dev protobuf-compiler libprotobuf-dev libre2-dev libcli11-dev \
      && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build kinesim

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 libssl3 libre2-9 \
      && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/server/kinesim /usr/local/bin/kinesim
ENV KINESIM_HOST=0.0.0.0 KINESIM_PORT=4566 KINESIM_DB=/data/kinesim.db
VOLUME /data
EXPOSE 4566
ENTRYPOINT ["/usr/local/bin/kinesim"]
