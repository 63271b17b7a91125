/**
 * The environment variables rec-serving reads, documented once for `--help` and the README.
 *
 * Contract: `ENVIRONMENT_HELP` is the text block `rec-serve --help` prints; every variable in it is
 * read somewhere (serve-config.ts maps REC_SERVING_<FLAG> onto every serve flag, flags win).
 */
export const ENVIRONMENT_HELP = [
  'Environment:',
  '  REC_SERVING_<FLAG>   any rec-serve flag, upper-cased: REC_SERVING_PORT=9494, REC_SERVING_LOG_LEVEL=debug,',
  '                       REC_SERVING_BATCHING=off ... (a flag on the command line wins over the variable)',
  '  REC_SERVING_DEBUG=1  print the stack trace with a fatal error (every CLI)',
  '  REC_SERVING_CACHE_DIR, REC_SERVING_GPU_TARBALL, REC_SERVING_GPU_OFFLINE=1',
  '                       where npm run install-gpu caches, which tarball it installs, never download',
].join('\n');
