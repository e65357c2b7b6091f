"""Times one training step of the demo's network in PyTorch.

The network, the loss and the batch mirror cmd/focal/internal/demo/net.go and the
anchors task: five 3×3 convolutions (stride 2, 2, then dilation 1, 2, 4;
8, 16, 32, 32, 32 channels), each followed by LayerNorm over channels and
ReLU, and a 1×1 head of A·K logits per cell; sigmoid focal loss (α = 0.25,
γ = 2) summed and divided by the number of positives; Adam. Prints the
median wall and CPU (both threads) milliseconds per step over --steps
steps after warm-up, as one line:

    torch <ms> ms/step <ms> cpu-ms/step  (size S, batch B, heads H, threads T, torch V)

Run by bench_step.sh beside it, which also runs BenchmarkTrainStep; the Go side
is what the demo runs, this is the yardstick. Only PyTorch is needed.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ChannelNorm(nn.Module):
    """LayerNorm over the channels of an NCHW tensor (net.go's layerNorm)."""

    def __init__(self, c):
        super().__init__()
        self.ln = nn.LayerNorm(c, eps=1e-5)

    def forward(self, x):
        return self.ln(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def network(heads, norm):
    layers, cin = [], 1
    for cout, stride, dil in [(8, 2, 1), (16, 2, 1), (32, 1, 1), (32, 1, 2), (32, 1, 4)]:
        layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=dil, dilation=dil)]
        if norm:
            layers += [ChannelNorm(cout)]
        layers += [nn.ReLU()]
        cin = cout
    layers += [nn.Conv2d(cin, heads, 1)]
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--heads", type=int, default=90)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--no-norm", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = network(a.heads, not a.no_norm)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(a.batch, 1, a.size, a.size)
    g = a.size // 4
    y = (torch.rand(a.batch, a.heads, g, g) < 5e-4).float()

    def step():
        opt.zero_grad()
        z = net(x)
        p = torch.sigmoid(z)
        ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
        pt = p * y + (1 - p) * (1 - y)
        at = 0.25 * y + 0.75 * (1 - y)
        loss = (at * (1 - pt) ** 2 * ce).sum() / y.sum().clamp(min=1)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    times, cpu = [], []
    for _ in range(a.steps):
        t, c = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(f"torch {1e3 * statistics.median(times):.2f} ms/step {1e3 * statistics.median(cpu):.2f} cpu-ms/step  "
          f"(size {a.size}, batch {a.batch}, heads {a.heads}, threads {a.threads}, torch {torch.__version__})")


if __name__ == "__main__":
    main()
