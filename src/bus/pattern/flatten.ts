import { type JsonNode, parseJsonStrict, syntaxErrorText } from './json.js';
import { FALSE, Leaf, type Membership, NULL, NUMBER, STRING, TRUE } from './types.js';

/**
 * An event parsed from JSON text. Unlike JSON.parse it keeps duplicate keys (event-ruler's streaming reader sees
 * every value) and the literal text of numbers.
 */
export class ParsedEvent {
  constructor(readonly root: JsonNode) {}
}

/** Parse event JSON text; a non-object or invalid JSON yields an error message instead of throwing. */
export function parseEvent(text: string): { ok: true; event: ParsedEvent } | { ok: false; error: string } {
  const r = parseJsonStrict(text);
  if (!r.ok) return { ok: false, error: syntaxErrorText(text, r.error) };
  if (r.node.type !== 'object') return { ok: false, error: 'Event must be a JSON object' };
  return { ok: true, event: new ParsedEvent(r.node) };
}

/** Receives each leaf with its dotted path. */
export type LeafSink = (path: string, leaf: Leaf) => void;

const NO_MEMBERSHIP: Membership | null = null;

/**
 * Walk an event's leaves the way event-ruler flattens it: paths join keys with '.', arrays add no path step, and
 * each object or array element inside an array records (array id, index) so fields taken from different
 * elements of the same array can be told apart. Scalars directly inside an array carry no entry for that array.
 */
export function walkEvent(event: unknown, sink: LeafSink): void {
  const state = { arrays: 0 };
  if (event instanceof ParsedEvent) {
    if (event.root.type === 'object') walkTreeObject(event.root, '', NO_MEMBERSHIP, sink, state);
    return;
  }
  if (event !== null && typeof event === 'object' && !Array.isArray(event)) {
    walkObject(event as Record<string, unknown>, '', NO_MEMBERSHIP, sink, state);
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function scalarLeaf(value: unknown, membership: Membership | null): Leaf | undefined {
  switch (typeof value) {
    case 'string':
      return new Leaf(STRING, value, Number.NaN, membership);
    case 'number':
      if (!Number.isFinite(value)) return new Leaf(NULL, 'null', Number.NaN, membership);
      // -0 does not exist for AWS (BigDecimal); the text is derived lazily from the value (String() is costly).
      return new Leaf(NUMBER, undefined, value === 0 ? 0 : value, membership);
    case 'boolean':
      return value ? new Leaf(TRUE, 'true', Number.NaN, membership) : new Leaf(FALSE, 'false', Number.NaN, membership);
    case 'bigint': {
      return Leaf.fromLiteral(value.toString(), membership);
    }
    default:
      return value === null ? new Leaf(NULL, 'null', Number.NaN, membership) : undefined;
  }
}

type State = { arrays: number };

function walkValue(
  value: unknown,
  path: string,
  membership: Membership | null,
  sink: LeafSink,
  state: State,
  inArray: boolean,
): void {
  if (value !== null && typeof value === 'object') {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') {
      walkValue(withJson.toJSON(), path, membership, sink, state, inArray);
      return;
    }
    if (Array.isArray(value)) {
      const id = state.arrays++;
      for (let i = 0; i < value.length; i++) {
        let el: unknown = value[i];
        if (el !== null && typeof el === 'object' && typeof (el as { toJSON?: unknown }).toJSON === 'function') {
          el = (el as { toJSON: () => unknown }).toJSON();
        }
        if (el !== null && typeof el === 'object') {
          walkValue(el, path, extend(membership, id, i), sink, state, true);
        } else {
          // JSON.stringify turns undefined/functions in arrays into null.
          walkValue(el === undefined || typeof el === 'function' ? null : el, path, membership, sink, state, true);
        }
      }
      return;
    }
    walkObject(value as Record<string, unknown>, path, membership, sink, state);
    return;
  }
  const leaf = scalarLeaf(value, membership);
  if (leaf) sink(path, leaf);
  else if (inArray) sink(path, new Leaf(NULL, 'null', Number.NaN, membership));
}

function walkObject(
  obj: Record<string, unknown>,
  path: string,
  membership: Membership | null,
  sink: LeafSink,
  state: State,
): void {
  const keys = Object.keys(obj);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const value = obj[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    walkValue(value, join(path, key), membership, sink, state, false);
  }
}

function extend(membership: Membership | null, id: number, index: number): Membership {
  return membership === null ? [id, index] : [...membership, id, index];
}

function walkTreeValue(
  node: JsonNode,
  path: string,
  membership: Membership | null,
  sink: LeafSink,
  state: State,
): void {
  switch (node.type) {
    case 'object':
      walkTreeObject(node, path, membership, sink, state);
      return;
    case 'array': {
      const id = state.arrays++;
      node.items.forEach((el, i) => {
        const inner = el.type === 'object' || el.type === 'array' ? extend(membership, id, i) : membership;
        walkTreeValue(el, path, inner, sink, state);
      });
      return;
    }
    case 'error':
      return;
    default:
      sink(path, treeLeaf(node, membership));
  }
}

function treeLeaf(node: JsonNode, membership: Membership | null): Leaf {
  if (node.type === 'string') return new Leaf(STRING, node.value, Number.NaN, membership);
  if (node.type === 'number') return Leaf.fromLiteral(node.raw, membership);
  if (node.type === 'literal') {
    if (node.value === true) return new Leaf(TRUE, 'true', Number.NaN, membership);
    if (node.value === false) return new Leaf(FALSE, 'false', Number.NaN, membership);
  }
  return new Leaf(NULL, 'null', Number.NaN, membership);
}

function walkTreeObject(
  node: JsonNode & { type: 'object' },
  path: string,
  membership: Membership | null,
  sink: LeafSink,
  state: State,
): void {
  for (const entry of node.entries) walkTreeValue(entry.value, join(path, entry.key), membership, sink, state);
}

/** True when two memberships agree on every array they share. */
export function consistent(a: Membership | null, b: Membership | null): boolean {
  if (a === null || b === null) return true;
  for (let i = 0; i < b.length; i += 2) {
    for (let j = 0; j < a.length; j += 2) {
      if (a[j] === b[i] && a[j + 1] !== b[i + 1]) return false;
    }
  }
  return true;
}

/** The union of two consistent memberships. */
export function merge(a: Membership | null, b: Membership | null): Membership | null {
  if (b === null || b.length === 0) return a;
  if (a === null || a.length === 0) return b;
  const out = [...a];
  for (let i = 0; i < b.length; i += 2) {
    let found = false;
    for (let j = 0; j < a.length; j += 2) if (a[j] === b[i]) found = true;
    if (!found) out.push(b[i], b[i + 1]);
  }
  return out;
}

/**
 * The field paths an index reads, as a trie of path segments, so flattening can skip unread keys without
 * building path strings. Dotted event keys are followed segment by segment, which is exactly AWS's dot-joining.
 */
export class PathNode {
  readonly children = new Map<string, PathNode>();
  /** The children again, as a list: few-children nodes are searched without building the key string. */
  readonly childList: PathNode[] = [];
  /** Number of patterns reading a leaf at exactly this path. */
  wanted = 0;
  /** A small integer naming this path while the node exists (indexes per-path arrays instead of maps). */
  slot = -1;
  constructor(
    readonly path: string,
    /** The last path segment (never contains '.'). */
    readonly key: string,
  ) {}

  /** The node for `key` below this one (a dotted key descends several levels), if any pattern reads there. */
  child(key: string): PathNode | undefined {
    const direct = this.children.get(key);
    if (direct || key.indexOf('.') < 0) return direct;
    let node: PathNode | undefined = this;
    for (const part of key.split('.')) {
      node = node.children.get(part);
      if (!node) return undefined;
    }
    return node;
  }
}

export class PathTrie {
  readonly root = new PathNode('', '');
  /** Slots handed out so far (an upper bound for per-slot arrays); freed slots are reused. */
  slots = 0;
  private readonly freeSlots: number[] = [];

  /** Register one more reader of `path`; returns its node. */
  add(path: string): PathNode {
    let node = this.root;
    for (const part of path.split('.')) {
      let next = node.children.get(part);
      if (!next) {
        next = new PathNode(node === this.root ? part : `${node.path}.${part}`, part);
        next.slot = this.freeSlots.pop() ?? this.slots++;
        node.children.set(part, next);
        node.childList.push(next);
      }
      node = next;
    }
    node.wanted++;
    return node;
  }

  remove(path: string): void {
    const trail: PathNode[] = [this.root];
    const parts = path.split('.');
    for (const part of parts) {
      const next = trail[trail.length - 1].children.get(part);
      if (!next) return;
      trail.push(next);
    }
    trail[trail.length - 1].wanted--;
    for (let i = trail.length - 1; i > 0; i--) {
      const node = trail[i];
      if (node.wanted > 0 || node.children.size > 0) break;
      const parent = trail[i - 1];
      parent.children.delete(parts[i - 1]);
      parent.childList.splice(parent.childList.indexOf(node), 1);
      this.freeSlots.push(node.slot);
    }
  }
}

/** Receives each leaf with the trie node of its path. */
export type NodeSink = (node: PathNode, leaf: Leaf) => void;

/** Like walkEvent, restricted to the paths of a trie (the sink gets each leaf's trie node). */
export function walkPruned(event: unknown, trie: PathTrie, sink: NodeSink): void {
  const state = { arrays: 0 };
  if (event instanceof ParsedEvent) {
    if (event.root.type === 'object') prunedTreeObject(event.root, trie.root, NO_MEMBERSHIP, sink, state);
    return;
  }
  if (event !== null && typeof event === 'object' && !Array.isArray(event)) {
    prunedObject(event as Record<string, unknown>, trie.root, NO_MEMBERSHIP, sink, state);
  }
}

function prunedObject(
  obj: Record<string, unknown>,
  node: PathNode,
  membership: Membership | null,
  sink: NodeSink,
  state: State,
): void {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const child = node.child(key);
    if (!child) continue;
    const value = obj[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    prunedValue(value, child, membership, sink, state, false);
  }
}

function prunedValue(
  value: unknown,
  node: PathNode,
  membership: Membership | null,
  sink: NodeSink,
  state: State,
  inArray: boolean,
): void {
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      prunedValue((value as { toJSON: () => unknown }).toJSON(), node, membership, sink, state, inArray);
      return;
    }
    if (Array.isArray(value)) {
      const id = state.arrays++;
      for (let i = 0; i < value.length; i++) {
        let el: unknown = value[i];
        if (el !== null && typeof el === 'object' && typeof (el as { toJSON?: unknown }).toJSON === 'function') {
          el = (el as { toJSON: () => unknown }).toJSON();
        }
        if (el !== null && typeof el === 'object') {
          prunedValue(el, node, extend(membership, id, i), sink, state, true);
        } else {
          prunedValue(el === undefined || typeof el === 'function' ? null : el, node, membership, sink, state, true);
        }
      }
      return;
    }
    if (node.children.size > 0) prunedObject(value as Record<string, unknown>, node, membership, sink, state);
    return;
  }
  if (node.wanted === 0) return;
  const leaf = scalarLeaf(value, membership);
  if (leaf) sink(node, leaf);
  else if (inArray) sink(node, new Leaf(NULL, 'null', Number.NaN, membership));
}

function prunedTreeObject(
  obj: JsonNode & { type: 'object' },
  node: PathNode,
  membership: Membership | null,
  sink: NodeSink,
  state: State,
): void {
  for (const entry of obj.entries) {
    const child = node.child(entry.key);
    if (child) prunedTreeValue(entry.value, child, membership, sink, state);
  }
}

function prunedTreeValue(
  value: JsonNode,
  node: PathNode,
  membership: Membership | null,
  sink: NodeSink,
  state: State,
): void {
  switch (value.type) {
    case 'object':
      if (node.children.size > 0) prunedTreeObject(value, node, membership, sink, state);
      return;
    case 'array': {
      const id = state.arrays++;
      value.items.forEach((el, i) => {
        const inner = el.type === 'object' || el.type === 'array' ? extend(membership, id, i) : membership;
        prunedTreeValue(el, node, inner, sink, state);
      });
      return;
    }
    case 'error':
      return;
    default:
      if (node.wanted > 0) sink(node, treeLeaf(value, membership));
  }
}
