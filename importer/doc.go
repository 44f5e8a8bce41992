// Package importer turns what a PyTorch user exports (an ONNX graph from
// torch.onnx.export, or a state_dict .pt) into canonical weights, addressed by
// their PyTorch names, plus the model's mvae/1 config.
package importer
