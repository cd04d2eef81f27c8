/**
 * Vigil's SQL-injection detector (waf.md §12): a clean-room tokenizer in the spirit of libinjection — the input is
 * tokenized as SQL three times (as-is, and as if it started inside a '…' or "…" literal, which is where user input
 * lands in a query), tokens are reduced to type letters, and the type sequence is judged by structural rules
 * ("breaks out of a string then continues with logic", "UNION SELECT", "stacked statement" …) instead of a
 * fingerprint list. Works on byte strings (one char per byte).
 */

export type TokType =
  | 's' // string literal
  | '1' // number
  | 'n' // bareword / identifier
  | 'k' // keyword
  | 'U' // UNION / EXCEPT / INTERSECT
  | 'E' // statement start: SELECT, INSERT, DELETE, UPDATE, DROP …
  | 'f' // function call (word followed by '(')
  | 'o' // operator
  | '&' // logic operator
  | 'c' // comment
  | 'v' // variable @x / @@x
  | '('
  | ')'
  | ','
  | ';'
  | '.';

export interface Token {
  type: TokType;
  value: string;
}

const LOGIC = new Set(['and', 'or', 'xor', 'not', '&&', '||']);
/** Word operators: SQL-ish but also English words, so they count as keywords, not logic. */
const WORD_OPS = new Set(['div', 'mod', 'like', 'rlike', 'regexp', 'sounds', 'is', 'in', 'between', 'glob', 'match']);
const UNION = new Set(['union', 'except', 'intersect', 'minus']);
const STATEMENT = new Set([
  'select',
  'insert',
  'delete',
  'update',
  'drop',
  'create',
  'alter',
  'truncate',
  'exec',
  'execute',
  'declare',
  'shutdown',
  'waitfor',
  'replace',
  'merge',
  'grant',
  'revoke',
  'handler',
  'load',
  'call',
]);
const KEYWORDS = new Set([
  'from',
  'where',
  'having',
  'group',
  'order',
  'by',
  'limit',
  'offset',
  'into',
  'values',
  'table',
  'database',
  'all',
  'distinct',
  'top',
  'case',
  'when',
  'then',
  'else',
  'end',
  'null',
  'true',
  'false',
  'join',
  'inner',
  'outer',
  'left',
  'right',
  'on',
  'as',
  'set',
  'asc',
  'desc',
  'procedure',
  'outfile',
  'dumpfile',
  'delay',
  'begin',
  'collate',
  'information_schema',
  'sysobjects',
  'syscolumns',
  'dual',
  'escape',
  'binary',
  'cast',
  'convert',
  'if',
  'exists',
  'with',
  'using',
  'declare',
  'xp_cmdshell',
  'sp_executesql',
  'sp_password',
  'varchar',
  'nvarchar',
  'char',
  'int',
]);
/** Functions whose presence with '(' is strongly SQL (time/blind/extraction primitives). */
const SQL_FUNCS = new Set([
  'sleep',
  'benchmark',
  'pg_sleep',
  'waitfor',
  'char',
  'chr',
  'concat',
  'concat_ws',
  'group_concat',
  'version',
  'user',
  'database',
  'schema',
  'current_user',
  'system_user',
  'session_user',
  'load_file',
  'extractvalue',
  'updatexml',
  'substring',
  'substr',
  'mid',
  'ascii',
  'ord',
  'hex',
  'unhex',
  'count',
  'cast',
  'convert',
  'isnull',
  'ifnull',
  'nullif',
  'coalesce',
  'if',
  'iif',
  'len',
  'length',
  'md5',
  'sha1',
  'rand',
  'floor',
  'exp',
  'name_const',
  'utl_inaddr',
  'dbms_pipe',
  'xmltype',
  'ctxsys',
  'randomblob',
  'sqlite_version',
  'db_name',
  'user_name',
  'is_srvrolemember',
  'openrowset',
  'opendatasource',
  'make_set',
  'elt',
  'row',
  'exists',
  'char_length',
  'lower',
  'upper',
  'reverse',
  'strcmp',
  'instr',
  'locate',
  'position',
  'left',
  'right',
  'trim',
  'ltrim',
  'rtrim',
  'min',
  'max',
  'sum',
  'avg',
  'now',
  'sysdate',
  'current_database',
  'pg_read_file',
  'lo_import',
  'json_extract',
  'gtid_subset',
  'polygon',
  'multipoint',
  'linestring',
  'geometrycollection',
  'exp',
  'bin',
  'oct',
  'conv',
  'field',
  'least',
  'greatest',
  'connection_id',
  'last_insert_id',
  'row_count',
  'found_rows',
  'uuid',
  'atan',
  'abs',
  'sign',
  'round',
]);

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 0x80;
}
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0;
}

const MAX_TOKENS = 12;

/**
 * Tokenize `s` as SQL. `quote` (0, 39 ', 34 ") starts the scan inside an open string literal of that quote.
 * Whitespace is skipped; at most MAX_TOKENS tokens (the judgement only needs the head of the input).
 */
export function tokenize(s: string, quote = 0): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  if (quote !== 0) {
    const end = findQuoteEnd(s, 0, quote);
    out.push({ type: 's', value: s.slice(0, end) });
    i = end + 1;
  }
  while (i < n && out.length < MAX_TOKENS) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 43 /* + treated as space (URL) */) {
      i++;
      continue;
    }
    if (c === 39 || c === 34 || c === 96) {
      const end = findQuoteEnd(s, i + 1, c);
      if (c === 96) out.push({ type: 'n', value: s.slice(i + 1, end) });
      else out.push({ type: 's', value: s.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (c === 47 && s.charCodeAt(i + 1) === 42) {
      // /* … */ ; MySQL /*! … */ executes its content, so that variant is unwrapped rather than a comment
      const end = s.indexOf('*/', i + 2);
      if (s.charCodeAt(i + 2) === 33) {
        let j = i + 3;
        while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
        const inner = s.slice(j, end < 0 ? n : end);
        for (const t of tokenize(inner)) if (out.length < MAX_TOKENS) out.push(t);
        i = end < 0 ? n : end + 2;
        continue;
      }
      out.push({ type: 'c', value: s.slice(i, end < 0 ? n : end + 2) });
      i = end < 0 ? n : end + 2;
      continue;
    }
    if ((c === 45 && s.charCodeAt(i + 1) === 45) || c === 35) {
      out.push({ type: 'c', value: s.slice(i) });
      break;
    }
    if (c === 64 /* @ */) {
      let j = i + 1;
      if (s.charCodeAt(j) === 64) j++;
      while (j < n && isWordChar(s.charCodeAt(j))) j++;
      out.push({ type: 'v', value: s.slice(i, j) });
      i = j;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && s.charCodeAt(i + 1) >= 48 && s.charCodeAt(i + 1) <= 57)) {
      let j = i;
      if (c === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
        j = i + 2;
        while (j < n && /[0-9a-fA-F]/.test(s[j]!)) j++;
      } else {
        while (j < n && ((s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) || s[j] === '.')) j++;
        if ((s.charCodeAt(j) | 32) === 101 && /[-+0-9]/.test(s[j + 1] ?? '')) {
          j += 2;
          while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
        }
      }
      // "1abc" is a word in SQL only when it continues with word characters
      if (j < n && isWordChar(s.charCodeAt(j)) && !(s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57)) {
        while (j < n && isWordChar(s.charCodeAt(j))) j++;
        out.push({ type: 'n', value: s.slice(i, j) });
      } else out.push({ type: '1', value: s.slice(i, j) });
      i = j;
      continue;
    }
    if (isWordChar(c)) {
      let j = i;
      while (j < n && (isWordChar(s.charCodeAt(j)) || s.charCodeAt(j) === 46)) j++;
      // a dotted name a.b stays one word; a trailing dot is not part of it
      while (j > i + 1 && s.charCodeAt(j - 1) === 46) j--;
      const word = s.slice(i, j);
      const lower = word.toLowerCase();
      let k = j;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      const call = s.charCodeAt(k) === 40;
      let type: TokType;
      if (UNION.has(lower)) type = 'U';
      else if (STATEMENT.has(lower)) type = 'E';
      else if (LOGIC.has(lower)) type = '&';
      else if (call) type = 'f';
      else if (KEYWORDS.has(lower) || WORD_OPS.has(lower)) type = 'k';
      else type = 'n';
      out.push({ type, value: word });
      i = j;
      continue;
    }
    if (c === 40 || c === 41 || c === 44 || c === 59 || c === 46) {
      out.push({ type: s[i] as TokType, value: s[i]! });
      i++;
      continue;
    }
    // operators: longest of the two-char forms first
    const two = s.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      out.push({ type: '&', value: two });
      i += 2;
      continue;
    }
    if (['<=', '>=', '<>', '!=', ':=', '<<', '>>', '=='].includes(two)) {
      out.push({ type: 'o', value: two });
      i += 2;
      continue;
    }
    if ('=<>!*/%-+&|^~:'.includes(s[i]!)) {
      out.push({ type: 'o', value: s[i]! });
      i++;
      continue;
    }
    // anything else (letters of other scripts are word chars; this is punctuation like ? [ ] { } \)
    out.push({ type: 'n', value: s[i]! });
    i++;
  }
  return out;
}

/** `--` starts a comment only before whitespace/end (MySQL); `#` and `/*` always. */
function realComment(v: string): boolean {
  if (!v.startsWith('--')) return true;
  return v.length === 2 || /\s/.test(v[2]!);
}

function findQuoteEnd(s: string, from: number, q: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c === q) {
      if (s.charCodeAt(i + 1) === q) {
        i += 2; // doubled quote inside the literal
        continue;
      }
      return i;
    }
    i++;
  }
  return s.length;
}

/** Join token types into a fingerprint string. */
export function fingerprint(tokens: readonly Token[]): string {
  let f = '';
  for (const t of tokens) f += t.type;
  return f;
}

export interface SqliResult {
  match: boolean;
  /** Which context decided (0 as-is, 39 ', 34 ") and the token values that matched (log `matchedData`). */
  context?: number;
  fingerprint?: string;
  matchedData?: string[];
  /** Internal id of the structural rule that fired (see judge()). */
  rule?: number;
}

const NO: SqliResult = { match: false };

/** Detect SQL injection. `high` (SensitivityLevel HIGH) accepts weaker structures too. */
export function detectSqli(input: string, high = false): SqliResult {
  if (input.length === 0) return NO;
  for (const q of [0, 39, 34]) {
    if (q !== 0 && input.indexOf(String.fromCharCode(q)) < 0) continue;
    let toks = tokenize(input, q);
    // a leading sign (-1 OR 1=1) is part of the number
    if (
      q === 0 &&
      toks.length > 1 &&
      toks[0]!.type === 'o' &&
      '-+~!'.includes(toks[0]!.value) &&
      toks[1]!.type === '1'
    ) {
      toks = toks.slice(1);
    }
    const at = judge(toks, q !== 0, high);
    if (at >= 0) {
      return {
        match: true,
        context: q,
        fingerprint: fingerprint(toks.slice(0, 5)),
        // AWS logs the head of the token list (e.g. ["10","AND","1"] for `10 AND 1=1`)
        matchedData: (at <= 2 ? toks.slice(0, at + 2) : toks.slice(at, at + 5)).map((t) => t.value),
        rule: lastRule,
      };
    }
  }
  return NO;
}

const VALUE = new Set<TokType>(['s', '1', 'n', 'v', 'f']);
/** Comparison operators: unlike `-` or `/` they rarely appear between prose tokens. */
const CMP = new Set(['=', '<', '>', '<>', '!=', '<=', '>=', '==', ':=', '<=>', '|', '^']);

/** Index of the first token of the offending structure, or -1. */
/** Id of the structural rule that decided the last positive judgement (explanations, tuning). */
let lastRule = 0;
function dbg(v: number, r: number): number {
  lastRule = r;
  return v;
}

// Top-level rather than closures inside judge: judge runs for every inspected value (no per-call allocation).
function tyAt(t: readonly Token[], i: number): TokType | '' {
  return i < t.length ? t[i]!.type : '';
}
function lwAt(t: readonly Token[], i: number): string {
  return i < t.length ? t[i]!.value.toLowerCase() : '';
}

function judge(t: readonly Token[], quoted: boolean, high: boolean): number {
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const a = tyAt(t, i);
    // UNION [ALL|DISTINCT] SELECT / UNION (SELECT
    if (a === 'U') {
      let j = i + 1;
      if (lwAt(t, j) === 'all' || lwAt(t, j) === 'distinct') j++;
      while (tyAt(t, j) === '(' || tyAt(t, j) === 'c') j++;
      if (tyAt(t, j) === 'E') return dbg(i, 1);
    }
    // SELECT … FROM / SELECT function( / SELECT @@version / SELECT 1,2
    if (a === 'E') {
      const w = lwAt(t, i);
      const b = tyAt(t, i + 1);
      if (
        w === 'select' &&
        (b === 'f' ||
          b === 'v' ||
          b === '1' ||
          b === 'n' ||
          b === 'o' ||
          b === 's' ||
          b === 'k' ||
          b === '(' ||
          b === 'c')
      ) {
        const afterCode = i > 0 && tyAt(t, i - 1) !== 'n' && tyAt(t, i - 1) !== 'k';
        const strong =
          b === 'f' || b === 'v' || b === '(' || b === '1' || b === 's' || b === 'o' || tyAt(t, i + 2) === ',';
        if (quoted || afterCode || strong) return dbg(i, 2);
      }
      if (
        (w === 'drop' || w === 'truncate' || w === 'alter' || w === 'create') &&
        (lwAt(t, i + 1) === 'table' ||
          lwAt(t, i + 1) === 'database' ||
          lwAt(t, i + 1) === 'user' ||
          lwAt(t, i + 1) === 'procedure')
      )
        return dbg(i, 3);
      if ((w === 'insert' && lwAt(t, i + 1) === 'into') || (w === 'delete' && lwAt(t, i + 1) === 'from'))
        return dbg(i, 4);
      if (w === 'update' && tyAt(t, i + 1) === 'n' && lwAt(t, i + 2) === 'set') return dbg(i, 5);
      if (w === 'waitfor' && (lwAt(t, i + 1) === 'delay' || lwAt(t, i + 1) === 'time')) return dbg(i, 6);
      if (
        (w === 'exec' || w === 'execute') &&
        (tyAt(t, i + 1) === 'n' || tyAt(t, i + 1) === 'k' || tyAt(t, i + 1) === 'f') &&
        /^(xp_|sp_|master\.)/.test(lwAt(t, i + 1))
      )
        return dbg(i, 7);
      if (w === 'shutdown' && (i > 0 || quoted)) return dbg(i, 8);
      if (w === 'declare' && tyAt(t, i + 1) === 'v') return dbg(i, 9);
    }
    // a known SQL primitive function, when the input is not plain prose: sleep(5), benchmark(…), char(…)
    if (a === 'f' && SQL_FUNCS.has(lwAt(t, i))) {
      const timing =
        /^(sleep|benchmark|pg_sleep|load_file|extractvalue|updatexml|name_const|utl_inaddr|dbms_pipe|randomblob|openrowset|group_concat|concat_ws|gtid_subset|pg_read_file|sqlite_version|is_srvrolemember|connection_id|current_user|database|version)$/.test(
          lwAt(t, i),
        );
      if (timing || i > 0 || quoted) {
        if (i > 0 || quoted) {
          const p = tyAt(t, i - 1);
          if (
            timing ||
            p === '&' ||
            p === 'o' ||
            p === ',' ||
            p === '(' ||
            p === 'E' ||
            p === 's' ||
            p === '1' ||
            p === ';' ||
            p === 'k' ||
            p === 'c'
          )
            return dbg(i, 10);
        } else if (timing) return dbg(i, 11);
      }
    }
    // stacked query: ; STATEMENT
    if (a === ';' && tyAt(t, i + 1) === 'E') return dbg(i, 12);
    // MSSQL/MySQL variables in expressions: @@version, @x:=
    if (a === 'v' && lwAt(t, i).startsWith('@@') && (i > 0 || quoted)) return dbg(i, 13);
  }
  // Break-out structures: the input closes the literal (or a number) and continues with SQL.
  const cmp = (i: number): boolean => tyAt(t, i) === 'o' && CMP.has(t[i]!.value);
  if (n >= 2) {
    const a = tyAt(t, 0);
    const b = tyAt(t, 1);
    const c = tyAt(t, 2);
    const d = tyAt(t, 3);
    const start = quoted ? a === 's' : a === '1' || a === 'n' || a === ')' || a === 'v';
    if (start) {
      let k = 1;
      while (tyAt(t, k) === ')') k++;
      const x = tyAt(t, k);
      const y = tyAt(t, k + 1);
      const z = tyAt(t, k + 2);
      // ' OR 1=1 / 1 AND 2>1 / ' OR 'a'='a / 1 OR x LIKE y
      const nullish = lwAt(t, k + 1) === 'null' || lwAt(t, k + 1) === 'true' || lwAt(t, k + 1) === 'false';
      if (x === '&' && (VALUE.has(y as TokType) || nullish)) {
        // English "one and two" is prose: after the logic word there must be a comparison, more logic, a
        // comment or statement end — or a value that only code has (function call, variable)
        const tail = cmp(k + 2) || z === 'c' || z === ';' || (z === '&' && y !== 'n') || (z === ')' && y !== 'n');
        if (tail || y === 'f' || y === 'v' || (high && y === '1')) return dbg(k, 14);
      }
      if (x === '&' && (y === '(' || y === 'E') && (quoted || a !== 'n')) return dbg(k, 16);
      // ' ; DROP … / 1; SELECT
      if (x === ';' && y === 'E') return dbg(k, 18);
      // '-- / '# / ' /* : quote closed then commented out
      if (quoted && x === 'c' && k === 1 && !/[\s]/.test(t[0]!.value) && realComment(t[1]!.value)) return dbg(k, 19);
      // ' = ' / 1' or ... / ' || ' concatenation / ')=(' comparisons after the break-out
      if (
        quoted &&
        cmp(k) &&
        (y === 's' || y === '1' || y === 'f' || y === '(' || y === 'v') &&
        (z !== '' || y === 's' || y === 'f' || high)
      )
        return dbg(k, 20);
      if (quoted && x === 'k' && y !== '' && y !== 'n') {
        if (
          ['having', 'group', 'order', 'limit', 'into', 'procedure', 'where', 'collate', 'offset'].includes(lwAt(t, k))
        )
          return dbg(k, 21);
      }
      // 1 ORDER BY 1 / 1 GROUP BY … / 1 HAVING 1=1 / 1 LIMIT 1,1 / 1 PROCEDURE ANALYSE
      if (
        !quoted &&
        (a === '1' || a === ')') &&
        x === 'k' &&
        ['order', 'group', 'having', 'limit', 'procedure', 'into', 'where'].includes(lwAt(t, k)) &&
        y !== ''
      )
        return dbg(k, 22);
      // 1 -- / 1 /* (number then comment) is weak; HIGH only
      if (high && !quoted && a === '1' && x === 'c') return dbg(k, 23);
      // 1) or (1=1 style / ' ) and ( '
      if (x === 'o' && y === '(' && (quoted || a === ')')) return dbg(k, 24);
      // numeric break-out then function: 1 AND sleep(5) covered above; 1 || func( / 1 xor if(
      if (!quoted && a === '1' && x === 'o' && (y === 'f' || y === '(') && d !== undefined) return dbg(k, 25);
    }
    // input starting with an operator or closing paren: `) or 1=1 --`, `= 1 or`, `-1 union …`
    if ((a === ')' || a === 'o') && (b === '&' || b === 'U' || b === ';') && c !== '') return dbg(1, 26);
    if (!quoted && a === 'c' && (b === 'E' || b === 'U')) return dbg(0, 27);
  }
  return -1;
}
