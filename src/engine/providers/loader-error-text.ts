/**
 * Turns what ONNX Runtime prints on stderr while a provider fails into the few lines that name
 * the cause, e.g. `libcublasLt.so.13: cannot open shared object file: No such file or directory`
 * or `Couldn't load Vulkan: libvulkan.so.1: ...`. The exception onnxruntime-node throws says only
 * "Failed to load shared library"; the library that is missing is on stderr.
 *
 * Contract: pure string functions. `stripAnsi` removes terminal colour codes; `loaderCauses`
 * returns the distinct cause lines in order of appearance (empty when none is recognised);
 * `shortOrtError` drops ORT's source-location prefix; `tail` keeps the last `maxChars` characters on line boundaries where it can.
 */

// ORT colours its log lines; Dawn prints plain text.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const CAUSE_PATTERNS: readonly RegExp[] = [
  // dlopen: "<path>/libX.so.N: cannot open shared object file: No such file or directory"
  /([\w.+-]+\.so(?:\.[\w.]+)?): cannot open shared object file: [^\n]+/g,
  // dlopen: "libX.so: undefined symbol: ..." / "version `GLIBC_2.xx' not found"
  /([\w.+-]+\.so(?:\.[\w.]+)?): (?:undefined symbol: \S+|version `[^']+' not found[^\n]*)/g,
  // dlopen of a damaged or foreign file
  /([\w.+-]+\.so(?:\.[\w.]+)?): (?:invalid ELF header|file too short|wrong ELF class: \w+)/g,
  /Couldn't load Vulkan: [^\n]+/g,
  /Failed to get a WebGPU adapter: [^\n]+/g,
  /CUDA failure \d+: [^;\n]+/g,
  /no CUDA-capable device is detected/g,
  /CUDA driver version is insufficient for CUDA runtime version/g,
];

export function loaderCauses(stderr: string): string[] {
  const text = stripAnsi(stderr);
  const found: Array<{ at: number; line: string }> = [];
  for (const pattern of CAUSE_PATTERNS) {
    for (const match of text.matchAll(pattern)) found.push({ at: match.index ?? 0, line: match[0].trim() });
  }
  found.sort((a, b) => a.at - b.at);
  const lines: string[] = [];
  for (const { line } of found) {
    // "Couldn't load Vulkan: libvulkan.so.1: cannot open ..." already holds the dlopen line.
    if (lines.some((kept) => kept.includes(line))) continue;
    for (let i = lines.length - 1; i >= 0; i--) if (line.includes(lines[i])) lines.splice(i, 1);
    lines.push(line);
  }
  return lines;
}

/**
 * The readable part of an ONNX Runtime exception message: its first line, without the
 * "/onnxruntime_src/<file>.cc:<line> <C++ signature> <condition> was false." prefix.
 */
export function shortOrtError(message: string): string {
  const first = stripAnsi(message).trim().split('\n')[0].trim();
  const falseAt = first.indexOf(' was false. ');
  if (first.startsWith('/onnxruntime_src/') && falseAt >= 0) return first.slice(falseAt + ' was false. '.length).trim();
  return first;
}

export function tail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(text.length - maxChars);
  const newline = cut.indexOf('\n');
  return newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut;
}
