/**
 * A tiny-DeepFM model directory whose Paddle config renames the output: `fetch_var` name
 * `sigmoid_0.tmp_0`, alias_name `prob` (feeds keep name = alias, as in the DeepFM config), so
 * tests can tell real names from aliases in every protocol.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTinyDeepFmDir } from './test-server';

export function makeAliasedDeepFmDir(): ReturnType<typeof makeTinyDeepFmDir> {
  const fixture = makeTinyDeepFmDir();
  const file = path.join(fixture.dir, 'serving_server_conf.prototxt');
  const text = fs.readFileSync(file, 'utf8').replace('alias_name: "sigmoid_0.tmp_0"', 'alias_name: "prob"');
  if (!text.includes('alias_name: "prob"')) throw new Error('the DeepFM config has no sigmoid_0.tmp_0 alias to rename');
  fs.writeFileSync(file, text);
  return fixture;
}
