// Package graphs is the ONNX side of the mvae/1 contract: it writes ONNX
// models with google.golang.org/protobuf's protowire (no generated code, no
// copied .proto), names the inputs and outputs every graph has, and builds
// the graphs a bundle needs from canonical weights.
//
// Field numbers follow onnx/onnx.proto (IR version 8, opsets 13 and later).
package graphs
