# fleetd, fleetctl and shuttle-sim in one small image: static binaries
# (CGO_ENABLED=0) on distroless/static, run as the non-root user 65532.
#
#   docker build -t borderfleet .
#   docker run --rm borderfleet version
#
# The image's entry point is fleetd; give fleetctl or shuttle-sim as the
# entry point to run those (deploy/compose.yaml does). This file is
# checked without a container engine by deploy/deploy_test.go: it is
# parsed, its rules are checked (pinned bases, non-root, static build)
# and its go build line is run.

# GO_VERSION is the Go toolchain of the build stage: go.mod's (a test checks)
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o /out/ ./cmd/fleetd ./cmd/fleetctl ./cmd/shuttle-sim
# the data directory (a bolt store, the broker accounts of fleetd mqtt acl),
# owned by the user the image runs as
RUN mkdir -p /out/data/mqtt

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fleetd /out/fleetctl /out/shuttle-sim /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/data /var/lib/borderfleet
USER 65532:65532
WORKDIR /var/lib/borderfleet
# the HTTP API, the dashboard and /metrics (with --listen :8080); the
# embedded MQTT broker when no broker URL is given
EXPOSE 8080 1884
ENTRYPOINT ["/usr/local/bin/fleetd"]
CMD ["run", "--config", "/etc/borderfleet/fleetd.json"]
