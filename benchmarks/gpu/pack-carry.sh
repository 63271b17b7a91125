#!/usr/bin/env bash
# Prepares what a GPU machine needs for benchmarks/gpu/run-on-gpu.sh, in parts of at most
# 60 MiB (the device tool carries 64 MiB per call), under dist/gpu-carry/ (ignored by git):
#   libs.tar            the shared + TensorRT providers (small) and the manifest
#   cuda.so.xz.part-*   the 219 MiB CUDA provider, xz-compressed (~157 MiB) and split
#   node_modules.tar.xz.part-*   node_modules without other platforms' ONNX Runtime binaries
#   libvulkan1*.deb     Debian's Vulkan loader for the WebGPU provider (when apt-get can fetch it)
# Every file's sha256 goes into MANIFEST.sha256; run-on-gpu.sh checks it, and install-gpu checks
# the provider libraries against the pinned sha256 values again.
set -euo pipefail
cd "$(dirname "$0")/../.."
PKG=com.github.asus4.onnxruntime.linux-x64-gpu
VERSION=0.4.9
CACHE="${REC_SERVING_CACHE_DIR:-$HOME/.cache/rec-serving}/gpu"
TGZ="$CACHE/$PKG-$VERSION.tgz"
OUT=dist/gpu-carry
mkdir -p "$CACHE"
[ -f "$TGZ" ] || npm pack "$PKG@$VERSION" --pack-destination "$CACHE"
rm -rf "$OUT" && mkdir -p "$OUT/libs"
tar xzf "$TGZ" -C "$OUT/libs" --strip-components=4 \
  package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so \
  package/Plugins/Linux/x64/libonnxruntime_providers_shared.so \
  package/Plugins/Linux/x64/libonnxruntime_providers_tensorrt.so
(cd "$OUT/libs" && sha256sum libonnxruntime_providers_*.so > SHA256SUMS)
xz -T0 -6 -c "$OUT/libs/libonnxruntime_providers_cuda.so" | split -b 60M -d - "$OUT/cuda.so.xz.part-"
rm "$OUT/libs/libonnxruntime_providers_cuda.so"
tar cf "$OUT/libs.tar" -C "$OUT" libs && rm -rf "$OUT/libs"
tar cJf - --exclude='node_modules/onnxruntime-node/bin/napi-v6/darwin' --exclude='node_modules/onnxruntime-node/bin/napi-v6/win32' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/arm64' --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_*' \
  node_modules | split -b 60M -d - "$OUT/node_modules.tar.xz.part-"
(cd "$OUT" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "pack-carry: apt-get download libvulkan1 failed; WebGPU will need libvulkan1 on the GPU host" >&2
(cd "$OUT" && sha256sum -- * > MANIFEST.sha256)
ls -l "$OUT" >&2
echo "pack-carry: carry each file of $OUT (≤ 60 MiB each) to the GPU machine; see README, GPU" >&2
