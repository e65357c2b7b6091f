#!/usr/bin/python3
"""Reference class-balanced weights for TestClassBalancedWeightsMatchReference (family_classbalanced_test.go),
computed as vandit15/Class-balanced-loss-pytorch, class_balanced_loss.py, CB_loss does it (the PyTorch
port of richardaecn/class-balanced-loss, Cui et al., CVPR 2019):

    effective_num = 1.0 - np.power(beta, samples_per_cls)
    weights = (1.0 - beta) / np.array(effective_num)
    weights = weights / np.sum(weights) * no_of_classes

Run: /usr/bin/python3 class_balanced.py   (prints the Go table rows)"""
import numpy as np

for beta, spc in [(0.9999, [5000, 2000, 500, 100, 10]), (0.99, [1, 2, 5, 100, 1000]), (0.5, [1, 3, 7]), (0.0, [4, 9])]:
    effective_num = 1.0 - np.power(beta, spc)
    weights = (1.0 - beta) / np.array(effective_num)
    weights = weights / np.sum(weights) * len(spc)
    print("{%r, []int64{%s}, []float64{%s}}," % (beta, ", ".join(map(str, spc)), ", ".join(repr(w) for w in weights)))
