# mvae serve in a container: a static, pure Go binary (the native runtime;
# onnxruntime needs cgo and is left out) on a distroless base, run as a
# non-root user. The embedded models and the web page are in the binary.
#
#   docker build -t mvae .
#   docker run --rm -p 8080:8080 mvae
#   docker run --rm -p 8080:8080 -v "$PWD/models:/models:ro" mvae \
#       serve --addr 0.0.0.0:8080 --model groove=default --model drums=/models/drums.mvae
#
# The server keeps no state between requests: run as many replicas as the
# load needs behind any HTTP load balancer, with /healthz as the health
# check and /metrics scraped by Prometheus.

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
RUN go build -ldflags "-s -w -X github.com/musicvae-go/mvae/cli.Version=${VERSION}" -o /out/mvae . \
 && /out/mvae --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mvae /mvae
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/mvae"]
# Inside the container the server listens on every interface; publish the
# port (-p) to choose who reaches it.
CMD ["serve", "--addr", "0.0.0.0:8080"]
