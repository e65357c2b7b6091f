#!/usr/bin/env bash
# Times one training step of the demo's network in Go (BenchmarkTrainStep:
# the default anchors task, 16 scenes of 64×64, focal loss, Adam) and in
# PyTorch (step_torch.py: the same network, batch, loss and optimiser), on
# the same number of threads, alternating ROUNDS times so that both see the
# same load, and prints each round and the medians' ratio. PyTorch is
# optional: without it only the Go side is timed.
#
#   internal/demo/bench_step.sh            # 2 threads, 5 rounds
#   THREADS=1 ROUNDS=3 internal/demo/bench_step.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${THREADS:-2}"
rounds="${ROUNDS:-5}"
export GOEXPERIMENT="${GOEXPERIMENT:-simd}"
python="${PYTHON:-/usr/bin/python3}"
bin="$(mktemp -d)/demo.test"
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./internal/demo
have_torch=0
if "$python" -c 'import torch' 2>/dev/null; then have_torch=1; fi

echo "GOEXPERIMENT=$GOEXPERIMENT, $threads threads, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
go_ms=() torch_ms=()
for r in $(seq "$rounds"); do
	g="$(GOMAXPROCS="$threads" "$bin" -test.run '^$' -test.bench '^BenchmarkTrainStep$' -test.benchtime 20x |
		awk '/^BenchmarkTrainStep/ { printf "%.2f", $3 / 1e6 }')"
	go_ms+=("$g")
	line="round $r: Go $g ms/step"
	if [ "$have_torch" = 1 ]; then
		t="$("$python" internal/demo/step_torch.py --threads "$threads" --steps 20 | awk '{ print $2 }')"
		torch_ms+=("$t")
		line="$line, PyTorch $t ms/step"
	fi
	echo "$line"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
gm="$(median "${go_ms[@]}")"
if [ "$have_torch" = 1 ]; then
	tm="$(median "${torch_ms[@]}")"
	echo "median: Go $gm ms/step, PyTorch $tm ms/step, Go/PyTorch $(awk -v g="$gm" -v t="$tm" 'BEGIN { printf "%.1f", g / t }')×"
	"$python" internal/demo/step_torch.py --threads "$threads" --steps 1 | sed 's/^torch [^(]*/PyTorch: /'
else
	echo "median: Go $gm ms/step (PyTorch not installed)"
fi
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
