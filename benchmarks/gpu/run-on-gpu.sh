#!/usr/bin/env bash
# On the GPU machine, after the files of dist/gpu-carry/ (benchmarks/gpu/pack-carry.sh) were
# carried into $CARRY_DIR (default /tmp/gpu-carry): checks the manifest, joins the parts,
# restores node_modules if absent, puts the CUDA 13 / cuDNN 9 / Vulkan folders on
# LD_LIBRARY_PATH, builds, generates the default model, installs the providers (sha256-checked)
# and runs dist/benchmarks/gpu/run-gpu.js with any extra arguments (e.g. --matrix).
set -euo pipefail
cd "$(dirname "$0")/../.."
CARRY_DIR="${CARRY_DIR:-/tmp/gpu-carry}"
(cd "$CARRY_DIR" && sha256sum -c --quiet MANIFEST.sha256)
WORK=$(mktemp -d)
tar xf "$CARRY_DIR/libs.tar" -C "$WORK"
cat "$CARRY_DIR"/cuda.so.xz.part-* | xz -d > "$WORK/libs/libonnxruntime_providers_cuda.so"
(cd "$WORK/libs" && sha256sum -c --quiet SHA256SUMS)
if [ ! -d node_modules/onnxruntime-node ]; then cat "$CARRY_DIR"/node_modules.tar.xz.part-* | tar xJf -; fi
if ls "$CARRY_DIR"/libvulkan1*.deb >/dev/null 2>&1 && ! ldconfig -p | grep -q libvulkan.so.1; then
  dpkg -x "$CARRY_DIR"/libvulkan1*.deb "$WORK/vulkan"
  VULKAN_LIB=$(dirname "$(find "$WORK/vulkan" -name 'libvulkan.so.1' | head -1)")
fi
# The H100 image has CUDA 13 and cuDNN 9 as Python wheels (nvidia/cu13/lib, nvidia/cudnn/lib).
SITE=$(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null || true)
for dir in $SITE; do
  for lib in "$dir/nvidia/cu13/lib" "$dir/nvidia/cudnn/lib"; do
    [ -d "$lib" ] && LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
done
[ -n "${VULKAN_LIB:-}" ] && LD_LIBRARY_PATH="$VULKAN_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
echo "run-on-gpu: LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >&2
[ -f dist/src/cli/serve.js ] || npx tsc -p .
[ -f serving_server/model.onnx ] || node dist/src/model/generate-default-model.js
node dist/src/cli/install-gpu.js --from_dir "$WORK/libs"
node dist/benchmarks/gpu/run-gpu.js "$@"
