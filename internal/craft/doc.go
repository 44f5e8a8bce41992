// Package craft builds hostile files byte by byte: NumPy arrays and archives
// whose headers claim more than they hold, PyTorch zips and pickles with
// crafted opcodes, strides and storages. It imports nothing of mvae, so the
// readers' own tests and fuzzers (npy, importer) can seed from it, and the
// hostile-input test (internal/hostile) runs the same files through mvae.
package craft
