# A small image: a static-enough binary on distroless (glibc, CA certificates, no shell).
#   docker build -t fsx-guard .
#   docker run --rm -v "$PWD:/work" fsx-guard check --inventory examples/inventory.json
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# Build settings (mimalloc's arena size, see the file).
COPY .cargo ./.cargo
COPY src ./src
COPY schemas ./schemas
COPY policies ./policies
COPY benches ./benches
COPY examples ./examples
RUN cargo build --release --locked --bin fsx-guard \
    && strip target/release/fsx-guard

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/fsx-guard /usr/local/bin/fsx-guard
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/fsx-guard"]
CMD ["--help"]
