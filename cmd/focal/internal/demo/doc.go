// Package demo is `focal demo`: dense detection on generated scenes, where
// one small fully-convolutional network is trained with cross-entropy,
// cross-entropy with the prior initialisation of the last bias,
// α-balanced cross-entropy and focal loss (Lin et al., "Focal Loss for
// Dense Object Detection", ICCV 2017) on the same scenes from the same
// initial weights, and compared on held-out scenes.
//
// The default task, TaskAnchors, is the paper's regime in small: 9 anchors
// per cell of a stride-4 grid and one sigmoid logit per anchor and class
// (5e-4 of them positive in 64×64 scenes), IoU assignment, every loss
// divided by the number of positive anchors, scored by AP@0.5 after
// class-wise NMS.
// TaskCells is one objectness logit per cell (about 1% positive), scored
// by object recall at a fixed number of false positives per image.
//
// Run does the work — the training runs, a validation stream for the
// learning curves, the choice of the learning rate and early stopping, the
// test scores, the paper's Figure 4 — and returns a Result; WriteTable,
// WriteJSON and WriteOutputs report it. The command line is in
// internal/cli. docs/demo.md shows the results and explains them.
package demo
