#!/usr/bin/env python3
"""Export a MusicVAE of the mvae/1 contract to ONNX (spec section 3).

    export.py --config C.json --weights model.pt --opset N -o model.onnx

The graph is the TorchScript exporter's trace of the teacher-forced forward
`model(x, eps)`: inputs `x` [B, T, D] and `eps` [B, Z], outputs `logits`
[B, T, D], `mu` and `sigma` [B, Z], the batch axis dynamic (named "batch"),
constants folded. The config (mvae_torch.config_json) is written into the
model's metadata_props entry "mvae.config".

Also importable: export(model, path, opset).
On PyTorch 2.x, whose torch.onnx.export has a `dynamo` keyword, dynamo=False is
passed so that the TorchScript exporter is used there too; 1.13 has no such
keyword and always uses it.
"""
import argparse
import inspect
import os
import sys
import warnings

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402

CONFIG_KEY = "mvae.config"
INPUTS = ["x", "eps"]
OUTPUTS = ["logits", "mu", "sigma"]


def _has_dynamo_keyword():
    try:
        return "dynamo" in inspect.signature(torch.onnx.export).parameters
    except (TypeError, ValueError):
        return False


def set_config(path, cfg):
    """Write cfg (spec keys only) into the ONNX file's metadata_props "mvae.config"."""
    proto = onnx.load(path)
    for p in list(proto.metadata_props):
        if p.key == CONFIG_KEY:
            proto.metadata_props.remove(p)
    entry = proto.metadata_props.add()
    entry.key = CONFIG_KEY
    entry.value = m.config_json(cfg)
    onnx.save(proto, path)


def export(model, path, opset, batch=2):
    """Export model (an mvae_torch.MusicVAE) to path with the given opset; returns path."""
    was_training = model.training
    model.eval()
    g = torch.Generator().manual_seed(0)
    # Example inputs only fix shapes (values do not enter the traced graph).
    x = torch.zeros(batch, model.T, model.D)
    x[..., 0] = 1
    eps = torch.randn(batch, model.Z, generator=g)
    axes = {"x": {0: "batch"}, "eps": {0: "batch"},
            "logits": {0: "batch"}, "mu": {0: "batch"}, "sigma": {0: "batch"}}
    kwargs = dict(input_names=INPUTS, output_names=OUTPUTS, opset_version=opset,
                  dynamic_axes=axes, do_constant_folding=True, export_params=True)
    if _has_dynamo_keyword():
        kwargs["dynamo"] = False
    with warnings.catch_warnings():
        # The tracer warns about the LSTM's batch_first/hidden-state handling and the
        # Python loop over segments; both are intended (the loop unrolls over U).
        warnings.simplefilter("ignore")
        with torch.no_grad():
            torch.onnx.export(model, (x, eps), path, **kwargs)
    set_config(path, model.cfg)
    if was_training:
        model.train()
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True, help="the model's config.json (mvae/1)")
    ap.add_argument("--weights", required=True, help="torch.save(model.state_dict()) file")
    ap.add_argument("--opset", type=int, default=17, help="ONNX opset (13 or later)")
    ap.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    args = ap.parse_args()
    if args.opset < 13:
        sys.exit("export.py: opset %d: the contract needs 13 or later" % args.opset)
    model = m.load_model(args.config, args.weights)
    export(model, args.output, args.opset)
    onnx.checker.check_model(onnx.load(args.output))
    print("wrote %s (opset %d, torch %s)" % (args.output, args.opset, torch.__version__))


if __name__ == "__main__":
    main()
