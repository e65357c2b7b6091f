// Package demo is `focal demo`: dense small-object detection on generated
// scenes, where one small fully-convolutional network is trained with BCE,
// BCE with the prior initialisation of the last bias, α-balanced BCE and
// focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV
// 2017) on the same scenes from the same initial weights, and compared on
// held-out scenes by cell average precision and by object recall at a fixed
// number of false positives per image, per object size.
//
// Run does the work and returns a Result; WriteTable, WriteJSON and
// WriteOutputs report it; NewCommand is the cobra command. docs/demo.md
// shows the results of the defaults and explains them.
package demo
