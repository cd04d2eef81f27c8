/**
 * A commander action that imports its implementation module only when the command runs, so start-up (`--help`,
 * `--version`, or any other command) loads commander and the option definitions but not the libraries behind them.
 * The action receives exactly what commander passes (arguments, options, the command).
 */
export function lazyAction<M>(load: () => Promise<M>, name: keyof M & string): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const action = (await load())[name] as (...a: unknown[]) => unknown;
    await action(...args);
  };
}
