#!/usr/bin/env python3
# Used by docs/train.md: python3 docs/fmnist_rare.py (writes into the current directory).
# Fashion-MNIST with class 0 cut to one image in ten (about 1.1% positive),
# written as .npy pairs without numpy.
import gzip
D = "/usr/share/datasets/fashion-mnist/"

def save(path, descr, shape, data):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode() + data)

for part, prefix in (("train", "train"), ("test", "t10k")):
    x = gzip.open(D + prefix + "-images-idx3-ubyte.gz").read()[16:]
    y = gzip.open(D + prefix + "-labels-idx1-ubyte.gz").read()[8:]
    seen, keep = 0, []
    for i, label in enumerate(y):
        if label == 0:
            seen += 1
            if seen % 10 != 1:
                continue
        keep.append(i)
    save(part + "-x.npy", "|u1", "(%d, 784)" % len(keep), b"".join(x[i*784:(i+1)*784] for i in keep))
    save(part + "-y.npy", "|u1", "(%d,)" % len(keep), bytes(y[i] for i in keep))
    print(part, len(keep), sum(1 for i in keep if y[i] == 0))
