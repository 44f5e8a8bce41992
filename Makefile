# mvae: the two commands of the README are `make demo` and `make test`.
GO ?= go
BIN := bin/mvae

.PHONY: all build test ort corpus demo fuzz vet clean bench

all: build

build:
	$(GO) build -o $(BIN) .

# onnxruntime's shared library (npm onnxruntime-node@1.24.3) into the cache folder.
ort:
	scripts/fetch-onnxruntime.sh

# About 2,000 grooves rendered from Debian's MMA library (not committed: GPL).
corpus:
	testdata/corpus/build.sh

# The main job: for now, the data path on real drum grooves.
demo: build ort corpus
	scripts/demo.sh

# onnxruntime and magenta.js are fetched when they can be (npm, or already in
# the cache folder); where they cannot, their tests skip here (CI fetches them
# first and fails instead).
test:
	@scripts/fetch-onnxruntime.sh >/dev/null || echo "make test: no onnxruntime (fetching it needs npm): the onnxruntime tests skip" >&2
	@scripts/fetch-magentajs.sh >/dev/null || echo "make test: no magenta.js (installing it needs node and npm): the magenta.js conformance tests skip" >&2
	$(GO) vet ./...
	$(GO) test ./...

# Speed and memory: mvae bench on both runtimes (the small and seed presets,
# random weights), then PyTorch's graphs/torch/bench.py on the same presets
# where $(PYTHON) has torch. BENCH_FLAGS bounds each cell (default 2 s).
PYTHON ?= /usr/bin/python3
BENCH_FLAGS ?= --seconds 2
bench: build
	@scripts/fetch-onnxruntime.sh >/dev/null || echo "make bench: no onnxruntime (fetching it needs npm): native alone" >&2
	$(BIN) bench --preset small $(BENCH_FLAGS)
	$(BIN) bench --preset seed --batch 1,16,64 $(BENCH_FLAGS)
	@if $(PYTHON) -c 'import torch' 2>/dev/null; then \
		$(PYTHON) graphs/torch/bench.py --preset small $(BENCH_FLAGS) && \
		$(PYTHON) graphs/torch/bench.py --preset seed --batch 1,16,64 $(BENCH_FLAGS); \
	else echo "make bench: $(PYTHON) has no torch (Debian: apt-get install python3-torch): PyTorch skipped" >&2; fi

# The MIDI reader, the ONNX reader, both importers, and the native kernels
# against their reference loops.
fuzz:
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzDot$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzAxpy$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzDot4$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzGemm$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddBF16$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddF16$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddI8$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddPackedBF16$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddPairsBF16$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddPackedF16$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddPackedI8$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzMulAddPacked$$' -fuzztime 30s
	$(GO) test ./native/internal/f32 -run '^$$' -fuzz '^FuzzCell$$' -fuzztime 30s
	$(GO) test ./music -run '^$$' -fuzz FuzzParseMIDI -fuzztime 60s
	$(GO) test ./graphs -run '^$$' -fuzz FuzzReadModel -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./importer -run '^$$' -fuzz '^FuzzImportONNX$$' -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./importer -run '^$$' -fuzz '^FuzzImportPT$$' -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./importer -run '^$$' -fuzz FuzzStateDictPickle -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./importer -run '^$$' -fuzz '^FuzzMagentaManifest$$' -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./model -run '^$$' -fuzz '^FuzzReadBundle$$' -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./npy -run '^$$' -fuzz '^FuzzReadNPY$$' -fuzztime 60s -fuzzminimizetime 2s
	$(GO) test ./npy -run '^$$' -fuzz '^FuzzReadNPZ$$' -fuzztime 60s -fuzzminimizetime 2s

clean:
	rm -rf bin out
