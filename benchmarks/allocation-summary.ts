#!/usr/bin/env node
/**
 * Summarises a sampling heap profile written by benchmarks/lib/allocation-sampling.ts: bytes
 * allocated per call (total sampled bytes / calls) and the allocation sites that account for the
 * most, each with its caller.
 *
 *   node dist/benchmarks/allocation-summary.js <profile.json> <calls> [top=20]
 */
import * as fs from 'node:fs';
import { runMain } from '../src/cli/run-main';

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const frameName = (node: ProfileNode) => {
  const f = node.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(node_modules|dist)\//, '')}:${f.lineNumber}`;
};

async function main(): Promise<number> {
  const [file, callsText, topText] = process.argv.slice(2);
  const calls = Number(callsText);
  if (file === undefined || !(calls > 0)) {
    process.stderr.write('usage: node dist/benchmarks/allocation-summary.js <profile.json> <calls> [top=20]\n');
    return 2;
  }
  const root = (JSON.parse(fs.readFileSync(file, 'utf8')) as { head: ProfileNode }).head;
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, caller: string) => {
    const name = frameName(node);
    if (node.selfSize > 0) {
      const site = `${name} < ${caller}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, name);
  };
  walk(root, '(root)');
  process.stdout.write(`bytes allocated per call: ${Math.round(total / calls)}\n| bytes per call | site < caller |\n|---|---|\n`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(topText ?? 20))) {
    process.stdout.write(`| ${Math.round(bytes / calls)} | ${site} |\n`);
  }
  return 0;
}

runMain('allocation-summary', main);
