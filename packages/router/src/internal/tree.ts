/**
 * The segment tree routes are compiled into. One node per path segment; a node's children are
 * tried in a fixed order of specificity: static text, then constrained parameters (in
 * registration order), then plain parameters, then wildcards. The walk backtracks, so
 * `/users/new` (static) and `/users/:id` can coexist in any registration order, and a request
 * the static branch cannot finish (wrong method, longer path) still gets the parameter branch.
 *
 * Matching runs on the **raw** path (a byte string, D-2): each segment is percent-decoded on its
 * own with `decodePath`'s rule (UTF-8, else latin1, D-8), so `%2F` inside a segment becomes a `/`
 * in the value and never splits segments. Decoding is skipped for a segment with no `%` and no
 * byte above 0x7F, which is the common case.
 */
// Imported, not the global: a global `Buffer` is looked up per call (LoadGlobalIC), a module binding is not.
import { Buffer } from 'node:buffer';
import { decodePath } from '@pagi/spec';
import type { ParamsBuilder } from './params-builder.js';
import type { Segment } from './pattern.js';

/** Handler key of routes that accept every HTTP method. A space is never part of a method token. */
export const ALL = ' all';
/** Handler key of WebSocket routes. */
export const WEBSOCKET = ' websocket';
/** Handler key of SSE routes. */
export const SSE = ' sse';

/** What one concrete pattern (optional parameters resolved) leads to for one handler key. */
export interface Leaf<R> {
  record: R;
  /** Names of the captured values, in capture order. */
  names: string[];
  /** `ints[i]`: convert `values[i]` to a number. */
  ints: boolean[];
  /** Builds the params object from the captured values (see params-builder.ts). */
  params: ParamsBuilder;
}

/**
 * The leaves of one node (or wildcard edge) by handler key: an HTTP method, {@link ALL},
 * {@link WEBSOCKET} or {@link SSE}. Two parallel lists scanned with `===` rather than a
 * null-prototype object: a node has a handful of keys, the request's method is an interned
 * string, and a dictionary-mode object's keyed load costs ~100 instructions per request.
 */
export class Handlers<R> {
  readonly keys: string[] = [];
  readonly leaves: Leaf<R>[] = [];

  get(key: string): Leaf<R> | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.leaves[i];
    return undefined;
  }

  set(key: string, leaf: Leaf<R>): void {
    const i = this.keys.indexOf(key);
    if (i === -1) {
      this.keys.push(key);
      this.leaves.push(leaf);
    } else {
      this.leaves[i] = leaf;
    }
  }

  /** The leaf for a request: exact key, then GET for HEAD (automatic HEAD), then `all`. */
  pick(key: string, http: boolean): Leaf<R> | undefined {
    const leaf = this.get(key);
    if (leaf !== undefined || !http) return leaf;
    return (key === 'HEAD' ? this.get('GET') : undefined) ?? this.get(ALL);
  }
}

export interface ParamEdge<R, M> {
  key: string;
  test: ((value: string) => boolean) | null;
  child: Node<R, M>;
}

export interface RestEdge<R> {
  key: string;
  test: ((value: string) => boolean) | null;
  handlers: Handlers<R>;
}

/**
 * Up to this many static children are scanned as a list, compared in place (no slice, no hash);
 * past it only the children with the segment's first character are scanned.
 */
const LIST_LIMIT = 8;

export class Node<R, M> {
  /** Every static child by its (decoded) text: the lookup for a segment that needs decoding. */
  statics: Map<string, Node<R, M>> | null = null;
  /**
   * The static children whose text is plain (ASCII, no `%`) as parallel arrays, in insertion
   * order: the ones a raw segment can equal without decoding, compared in place.
   */
  labels: string[] = [];
  children: Node<R, M>[] = [];
  /** Indexes into `labels` by the first character (`/` for the empty label), for nodes with many static children. */
  buckets: (number[] | undefined)[] | null = null;
  params: ParamEdge<R, M>[] = [];
  rests: RestEdge<R>[] = [];
  handlers: Handlers<R> | null = null;
  mount: M | null = null;
}

/** Finds or creates the handler table a concrete pattern ends in. */
export function handlersFor<R, M>(root: Node<R, M>, segments: readonly Segment[]): Handlers<R> {
  let node = root;
  for (const seg of segments) {
    if (seg.kind === 'static') {
      node = staticChild(node, seg.value);
    } else if (seg.kind === 'param') {
      let edge = node.params.find((e) => e.key === seg.key);
      if (edge === undefined) {
        edge = { key: seg.key, test: seg.test, child: new Node() };
        // Constrained edges keep registration order; the unconstrained one always goes last.
        const plain = node.params.findIndex((e) => e.key === '');
        if (seg.key === '' || plain === -1) node.params.push(edge);
        else node.params.splice(plain, 0, edge);
      }
      node = edge.child;
    } else {
      let edge = node.rests.find((e) => e.key === seg.key);
      if (edge === undefined) {
        edge = { key: seg.key, test: seg.test, handlers: new Handlers() };
        // `<path>` (non-empty) is more specific than `*` (may be empty).
        if (seg.key === '*') node.rests.push(edge);
        else node.rests.unshift(edge);
      }
      return edge.handlers;
    }
  }
  node.handlers ??= new Handlers();
  return node.handlers;
}

/** Finds or creates the node of a static prefix (for mounts). */
export function staticNode<R, M>(root: Node<R, M>, values: readonly string[]): Node<R, M> {
  let node = root;
  for (const value of values) node = staticChild(node, value);
  return node;
}

function staticChild<R, M>(node: Node<R, M>, value: string): Node<R, M> {
  node.statics ??= new Map();
  let next = node.statics.get(value);
  if (next === undefined) {
    next = new Node();
    node.statics.set(value, next);
    // A raw segment equal to a text with `%` or a non-ASCII character would need decoding
    // first: such children are reached through `statics` only.
    if (needsDecoding(value)) return next;
    // The empty label (a trailing `/`) goes in the bucket of `/`, the character that follows
    // an empty segment (see labelAt); no other label starts with one.
    const code = value === '' ? 0x2f : value.charCodeAt(0);
    node.buckets ??= [];
    (node.buckets[code] ??= []).push(node.labels.length);
    node.labels.push(value);
    node.children.push(next);
  }
  return next;
}

/**
 * true when the raw path needs per-segment percent-decoding: it has a `%` or a byte above 0x7F.
 * Two native scans (a UTF-8 length differs from the string length exactly when some character
 * is above 0x7F) measure faster than one JavaScript loop over the characters.
 */
export function needsDecoding(path: string): boolean {
  return path.indexOf('%') !== -1 || Buffer.byteLength(path, 'utf8') !== path.length;
}

/**
 * Mutable state of one match. A router owns one and reuses it: matching is synchronous, so
 * no two matches can interleave.
 */
export class Matcher<R, M> {
  /** The path `collect` and `findMount` read (set by the router before a miss is resolved; `walk` takes it as an argument). */
  path = '';
  key = '';
  http = true;
  /** Captured (decoded) values; only the first `count` are meaningful. */
  values: string[] = [];
  count = 0;

  /** Depth-first walk from `node` at segment start `pos`; `pos > path.length` means "no segments left". */
  walk(node: Node<R, M>, path: string, pos: number): Leaf<R> | undefined {
    const len = path.length;
    if (pos > len) return this.#leaf(node);
    // Static children first, compared in place before the segment is even scanned: a plain
    // label that the path has at `pos`, followed by `/` or the end, is the whole segment, and
    // that segment is plain too (so no other label, plain or not, can equal it decoded).
    const labels = node.labels;
    if (labels.length > 0) {
      const i = labelAt(node, path, pos);
      if (i !== -1) {
        const found = this.#enter(node.children[i]!, path, pos + labels[i]!.length + 1);
        if (found !== undefined) return found;
      }
    }
    // One pass finds the segment's end and whether it needs decoding (a `%` or a byte above
    // 0x7F): the segments of real paths are short, and a native `indexOf` per segment plus two
    // scans of the whole path cost more in call overhead than this loop.
    let end = pos;
    let plain = true;
    for (; end < len; end++) {
      const c = path.charCodeAt(end);
      if (c === 0x2f) break;
      if (c === 0x25 || c > 0x7f) plain = false;
    }
    let seg: string | undefined;
    if (!plain) {
      // Only a decoded segment can equal a child the in-place comparison above could not see.
      seg = decodePath(path.slice(pos, end));
      const next = node.statics?.get(seg);
      if (next !== undefined) {
        const found = this.#enter(next, path, end + 1);
        if (found !== undefined) return found;
      }
    }
    const params = node.params;
    // A parameter never matches an empty segment (`/users//posts` has no `:id`).
    if (params.length > 0 && end > pos) {
      if (seg === undefined) seg = path.slice(pos, end);
      const values = this.values;
      const at = this.count;
      for (let i = 0; i < params.length; i++) {
        const edge = params[i]!;
        if (edge.test !== null && !edge.test(seg)) continue;
        values[at] = seg;
        this.count = at + 1;
        const found = this.#enter(edge.child, path, end + 1);
        if (found !== undefined) return found;
        this.count = at;
      }
    }
    const rests = node.rests;
    if (rests.length > 0) {
      const rest = decodePath(path.slice(pos));
      for (let i = 0; i < rests.length; i++) {
        const edge = rests[i]!;
        if (edge.test !== null && !edge.test(rest)) continue;
        const leaf = edge.handlers.pick(this.key, this.http);
        if (leaf !== undefined) {
          this.values[this.count++] = rest;
          return leaf;
        }
      }
    }
    return undefined;
  }

  /** {@link Matcher.walk}, without a call when no segment is left (the last step of every match). */
  #enter(node: Node<R, M>, path: string, pos: number): Leaf<R> | undefined {
    return pos > path.length ? this.#leaf(node) : this.walk(node, path, pos);
  }

  /** The leaf of a node the whole path led to. */
  #leaf(node: Node<R, M>): Leaf<R> | undefined {
    return node.handlers === null ? undefined : node.handlers.pick(this.key, this.http);
  }

  /** Every HTTP method of every route whose pattern matches, whatever its priority (for 405/Allow). */
  collect(node: Node<R, M>, pos: number, into: Set<string>): void {
    const path = this.path;
    const len = path.length;
    if (pos > len) {
      if (node.handlers !== null) addMethods(node.handlers, into);
      return;
    }
    let end = path.indexOf('/', pos);
    if (end === -1) end = len;
    const seg = decodePath(path.slice(pos, end));
    const next = node.statics?.get(seg);
    if (next !== undefined) this.collect(next, end + 1, into);
    if (end > pos) {
      for (const edge of node.params) {
        if (edge.test === null || edge.test(seg)) this.collect(edge.child, end + 1, into);
      }
    }
    if (node.rests.length > 0) {
      const rest = decodePath(path.slice(pos));
      for (const edge of node.rests)
        if (edge.test === null || edge.test(rest)) addMethods(edge.handlers, into);
    }
  }

  /**
   * The deepest mount whose static prefix covers whole leading segments of the path.
   * Returns the mount and the end index of the prefix in the raw path.
   */
  findMount(root: Node<R, M>): { mount: M; end: number } | undefined {
    const path = this.path;
    const len = path.length;
    let best: { mount: M; end: number } | undefined =
      root.mount === null ? undefined : { mount: root.mount, end: 0 };
    let node = root;
    let pos = 1;
    while (pos <= len && node.statics !== null) {
      let end = path.indexOf('/', pos);
      if (end === -1) end = len;
      const seg = decodePath(path.slice(pos, end));
      const next = node.statics.get(seg);
      if (next === undefined) break;
      node = next;
      if (node.mount !== null) best = { mount: node.mount, end };
      pos = end + 1;
    }
    return best;
  }
}

/**
 * The index in `node.labels` of the label that is the whole segment of `path` starting at
 * `pos` (followed by `/` or the end of the path), or -1. Up to {@link LIST_LIMIT} labels are
 * scanned in order; past it only those starting with the segment's first character.
 */
function labelAt<R, M>(node: Node<R, M>, path: string, pos: number): number {
  const labels = node.labels;
  if (labels.length <= LIST_LIMIT) {
    for (let i = 0; i < labels.length; i++) {
      if (isSegment(path, pos, labels[i]!)) return i;
    }
    return -1;
  }
  const bucket = node.buckets?.[pos < path.length ? path.charCodeAt(pos) : 0x2f];
  if (bucket === undefined) return -1;
  for (let k = 0; k < bucket.length; k++) {
    const i = bucket[k]!;
    if (isSegment(path, pos, labels[i]!)) return i;
  }
  return -1;
}

/** Whether `label` is the whole segment of `path` at `pos`: there, and followed by `/` or the end. */
function isSegment(path: string, pos: number, label: string): boolean {
  const end = pos + label.length;
  const len = path.length;
  return (end === len || (end < len && path.charCodeAt(end) === 0x2f)) && path.startsWith(label, pos);
}

function addMethods(handlers: Handlers<unknown>, into: Set<string>): void {
  for (const key of handlers.keys) if (key.charCodeAt(0) !== 0x20) into.add(key);
}
