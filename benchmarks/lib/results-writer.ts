/**
 * Writes one benchmark's results: `<base>.md`, `<base>.json` and, when given, `<base>.csv`.
 *
 * Contract: creates `outDir` if needed, overwrites existing files, returns the paths written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export async function writeResults(outDir: string, base: string, markdown: string, csv: string | undefined, json: unknown): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = [path.join(outDir, `${base}.md`), path.join(outDir, `${base}.json`)];
  await writeFile(files[0], markdown);
  await writeFile(files[1], `${JSON.stringify(json, null, 2)}\n`);
  if (csv !== undefined) {
    files.push(path.join(outDir, `${base}.csv`));
    await writeFile(files[2], csv);
  }
  return files;
}
