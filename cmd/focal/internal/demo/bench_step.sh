#!/usr/bin/env bash
# Times one training step of the demo's network in Go (BenchmarkTrainStep:
# the default anchors task, 16 scenes of 64×64, focal loss, Adam) and in
# PyTorch (step_torch.py: the same network, batch, loss and optimiser), on
# the same number of threads, alternating ROUNDS times so that both see the
# same load, and prints each round and the medians' ratio. PyTorch is
# optional: without it only the Go side is timed.
#
#   cmd/focal/internal/demo/bench_step.sh            # 2 threads, 5 rounds
#   THREADS=1 ROUNDS=3 cmd/focal/internal/demo/bench_step.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${THREADS:-2}"
rounds="${ROUNDS:-5}"
export GOEXPERIMENT="${GOEXPERIMENT:-simd}"
python="${PYTHON:-/usr/bin/python3}"
bin="$(mktemp -d)/demo.test"
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./cmd/focal/internal/demo
have_torch=0
if "$python" -c 'import torch' 2>/dev/null; then have_torch=1; fi

echo "GOEXPERIMENT=$GOEXPERIMENT, $threads threads, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
go_ms=() go_cpu=() torch_ms=() torch_cpu=()
for r in $(seq "$rounds"); do
	read -r g gc < <(GOMAXPROCS="$threads" "$bin" -test.run '^$' -test.bench '^BenchmarkTrainStep$' -test.benchtime 20x |
		awk '/^BenchmarkTrainStep/ { printf "%.2f %.2f\n", $3 / 1e6, $5 }')
	go_ms+=("$g") go_cpu+=("$gc")
	line="round $r: Go $g ms/step ($gc CPU ms)"
	if [ "$have_torch" = 1 ]; then
		read -r t tc < <("$python" cmd/focal/internal/demo/step_torch.py --threads "$threads" --steps 20 | awk '{ print $2, $4 }')
		torch_ms+=("$t") torch_cpu+=("$tc")
		line="$line, PyTorch $t ms/step ($tc CPU ms)"
	fi
	echo "$line"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
gm="$(median "${go_ms[@]}")"
if [ "$have_torch" = 1 ]; then
	tm="$(median "${torch_ms[@]}")"
	gcm="$(median "${go_cpu[@]}")" tcm="$(median "${torch_cpu[@]}")"
	ratio() { awk -v g="$1" -v t="$2" 'BEGIN { printf "%.1f", g / t }'; }
	echo "median wall: Go $gm ms/step, PyTorch $tm ms/step, Go/PyTorch $(ratio "$gm" "$tm")×"
	echo "median CPU:  Go $gcm ms/step, PyTorch $tcm ms/step, Go/PyTorch $(ratio "$gcm" "$tcm")×"
	"$python" cmd/focal/internal/demo/step_torch.py --threads "$threads" --steps 1 | sed 's/^torch [^(]*/PyTorch: /'
else
	echo "median: Go $gm ms/step (PyTorch not installed)"
fi
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
