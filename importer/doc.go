// Package importer turns what a PyTorch user exports (an ONNX graph from
// torch.onnx.export, or a state_dict .pt) and Magenta's magenta.js
// checkpoints (magentajs_*.go) into canonical weights, addressed by their
// PyTorch names, plus the model's mvae/1 config; and writes canonical
// weights back as a magenta.js checkpoint (WriteMagenta).
package importer
