/**
 * The JSONPath subset EventBridge accepts in InputPath and InputPathsMap: `$`, dot steps (`$.detail.state`,
 * `$.detail-type`), array indexes (`$.resources[0]`) and, leniently, quoted bracket steps (`$['a.b']`).
 */

export type PathStep = string | number;

/** Parse a path into steps, or return a reason it is invalid. */
export function parseJsonPath(path: string): PathStep[] | string {
  if (!path.startsWith('$')) return 'must start with $';
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const name = path.slice(i + 1, j);
      if (name === '') return `empty step at position ${i}`;
      if (name === '*') return 'wildcards are not supported';
      steps.push(name);
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return `unclosed [ at position ${i}`;
      const inner = path.slice(i + 1, close).trim();
      if (/^[0-9]+$/.test(inner)) steps.push(Number(inner));
      else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) steps.push(inner.slice(1, -1));
      else return `unsupported step [${inner}]`;
      i = close + 1;
    } else {
      return `unexpected character '${c}' at position ${i}`;
    }
  }
  return steps;
}

/** Resolve steps in a JSON value; undefined when the path does not exist. */
export function resolvePath(value: unknown, steps: readonly PathStep[]): unknown {
  let cur = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return undefined;
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}
