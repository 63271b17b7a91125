/**
 * Which server configurations the served sweep compares: the batcher on and off when rec-serve
 * has a batching flag, otherwise the server as it is (and the report says the batcher flag was
 * not found). Found by reading `rec-serve --help`, so the sweep follows the server's flags as
 * they are at run time instead of guessing them.
 *
 * Contract: `serverVariants(helpText, flagName, extraArgs)` returns one or two variants, each with
 * a name and the argument list to start rec-serve with (extra args first); the flag is given
 * `=on` / `=off`, which rec-serve accepts for boolean and on/off flags alike.
 */

export interface ServerVariant {
  readonly name: string;
  readonly args: readonly string[];
}

export interface VariantPlan {
  readonly variants: readonly ServerVariant[];
  /** Why there is only one variant, when there is one. */
  readonly note?: string;
}

export function serverVariants(helpText: string, flagName: string, extraArgs: readonly string[], wanted: readonly ('on' | 'off')[] = ['off', 'on']): VariantPlan {
  const flagPresent = new RegExp(`--${flagName}\\b`).test(helpText);
  if (!flagPresent) {
    return { variants: [{ name: 'server default', args: [...extraArgs] }], note: `rec-serve has no --${flagName} flag in this build: the batcher on/off comparison was not run` };
  }
  return {
    variants: wanted.map((state) => ({ name: `batching ${state}`, args: [...extraArgs, `--${flagName}=${state}`] })),
  };
}
