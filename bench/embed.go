// Package bench holds the PyTorch side of `focal bench`: torch_bench.py,
// which times torchvision.ops.sigmoid_focal_loss and the seed's FocalLoss
// class (seed_focal_loss.py) forward and backward. The scripts are embedded
// so that the command runs them from any directory.
package bench

import "embed"

// Scripts holds torch_bench.py and seed_focal_loss.py.
//
//go:embed torch_bench.py seed_focal_loss.py
var Scripts embed.FS
