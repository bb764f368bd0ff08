# syntax=docker/dockerfile:1
#
# Deling in a container: build the `deling` binary with Rust, then run it on a
# small Debian image as an unprivileged user. Without further settings it
# keeps a SQLite database in /var/lib/deling (mount a volume there); see
# docker-compose.yml for PostgreSQL and docs/ADMIN.md for the settings.

# --- build -------------------------------------------------------------------
# Rust 1.94 or newer is required (sea-orm 2). Keep the Debian release equal to
# the runtime image's so the binary finds the same glibc.
FROM rust:1.94-bookworm AS builder
WORKDIR /src
COPY . .
# The caches keep downloaded crates and compiled dependencies between builds;
# the binary is copied out of the cached target directory in the same step.
# The release profile (Cargo.toml) builds one size-optimised unit with
# whole-program LTO: a smaller binary that needs less memory.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p deling \
    && install -m 0755 target/release/deling /usr/local/bin/deling

# --- run ---------------------------------------------------------------------
FROM debian:bookworm-slim
# ca-certificates: HTTPS to peer servers; curl: the health check below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 deling \
    && useradd --system --uid 10001 --gid deling --home-dir /var/lib/deling \
       --shell /usr/sbin/nologin deling \
    && mkdir -p /var/lib/deling \
    && chown deling:deling /var/lib/deling
COPY --from=builder /usr/local/bin/deling /usr/local/bin/deling

USER deling
WORKDIR /var/lib/deling
# Listen on all interfaces inside the container; publish the port on the
# host's loopback only and put a TLS proxy in front (docs/ADMIN.md).
ENV DELING_BIND=0.0.0.0:8080 \
    DELING_DATABASE_URL="sqlite:///var/lib/deling/deling.sqlite3?mode=rwc"
EXPOSE 8080
# /readyz answers 200 when the server and its database answer. It assumes
# port 8080: change it too if you change DELING_BIND.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["deling"]
CMD ["serve"]
