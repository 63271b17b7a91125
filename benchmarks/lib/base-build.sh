# Sourced by the compare scripts. `build_base REV DIR` checks REV out as a detached git worktree at
# DIR (sharing the working tree's node_modules and, when DIR lacks it, its default model file) and
# compiles it; `remove_base DIR` removes that worktree again (for the caller's EXIT trap).
build_base() {
  git worktree add -q --detach "$2" "$1"
  ln -s "$PWD/node_modules" "$2/node_modules"
  [ -e "$2/serving_server/model.onnx" ] || cp serving_server/model.onnx "$2/serving_server/"
  (cd "$2" && npx tsc -p .)
}
remove_base() {
  git worktree remove --force "$1" 2>/dev/null || true
}
