/**
 * Vigil's XSS detector (waf.md §12), clean-room: a small HTML-ish scan in the spirit of libinjection's html5
 * approach. Flags tags that can run script, event-handler attributes, script-capable URLs (javascript:, vbscript:,
 * data:text/html), CSS expression() and dangerous attribute names inside any tag, in the contexts where user input
 * usually lands (text, inside an attribute value, after a quote). Works on byte strings.
 */

export interface XssResult {
  match: boolean;
  /** Log `matchedData`, e.g. `["<", "script"]`. */
  matchedData?: string[];
}

const NO: XssResult = { match: false };

const BAD_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'style',
  'link',
  'meta',
  'base',
  'form',
  'isindex',
  'xml',
  'xss',
  'import',
  'vmlframe',
  'img',
  'image',
  'video',
  'audio',
  'source',
  'body',
  'input',
  'button',
  'details',
  'marquee',
  'textarea',
  'select',
  'keygen',
  'animate',
  'set',
  'handler',
  'template',
  'layer',
  'ilayer',
  'bgsound',
  'html',
  'table',
  'td',
  'div',
  'a',
  'h1',
  'x',
  'event-source',
  'plaintext',
  'listing',
  'xmp',
  'noscript',
  'title',
  'comment',
  'portal',
  'use',
  'feimage',
  'animatetransform',
  'foreignobject',
]);
/** Tags that are dangerous on their own (no attribute needed). */
const ALONE_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'style',
  'base',
  'meta',
  'link',
  'xml',
  'isindex',
  'import',
  'vmlframe',
  'xss',
  'portal',
  'noscript',
  'plaintext',
  'xmp',
  'template',
]);
const URL_ATTRS =
  /^(href|src|action|formaction|data|xlink:href|lowsrc|dynsrc|background|poster|code|codebase|values|from|to|by|attributename|content|srcdoc|ping|manifest|folder|datasrc|xmlns|style|xml:base|uri)$/;

const SCHEME =
  /(?:j\s*a\s*v\s*a|v\s*b)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|d\s*a\s*t\s*a\s*:[^,]*(?:text\/html|image\/svg|base64)|livescript:|mocha:/i;
const EXPRESSION =
  /expression\s*\(|behavior\s*:|-moz-binding|url\s*\(\s*['"]?\s*(?:javascript|vbscript|data):|@import/i;
const EVENT_ATTR = /(?:^|[\s"'/`;<>])(on[a-z]{3,30})\s*=/i;

const NAMED: Record<string, string> = {
  colon: ':',
  lpar: '(',
  rpar: ')',
  period: '.',
  tab: '\t',
  newline: '\n',
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
  amp: '&',
  sol: '/',
  bsol: '\\',
  lsqb: '[',
  rsqb: ']',
  grave: '`',
  equals: '=',
  nbsp: ' ',
  excl: '!',
  num: '#',
};

/** HTML entities as a browser decodes them inside attribute values (numeric `;` optional, a few named). */
function decodeEntities(s: string): string {
  return s.replace(/&(?:#x0*([0-9a-f]{1,6});?|#0*([0-9]{1,7});?|([a-z]{2,8});)/gi, (m, hx, dec, name) => {
    if (hx !== undefined) return String.fromCharCode(Number.parseInt(hx, 16) & 0xff);
    if (dec !== undefined) return String.fromCharCode(Number(dec) & 0xff);
    return NAMED[(name as string).toLowerCase()] ?? m;
  });
}

/** CSS escapes `\61`, `\0075` and backslash evasions inside style text. */
function decodeCss(s: string): string {
  return s.replace(/\\([0-9a-f]{1,6})\s?|\\(.)/gi, (_m, hx, ch) =>
    hx !== undefined ? String.fromCharCode(Number.parseInt(hx, 16) & 0xff) : ch,
  );
}

/** Detect XSS in a byte string (also after entity and CSS-escape decoding, as the browser would decode). */
export function detectXss(input: string): XssResult {
  if (input.length === 0) return NO;
  const r = detectRaw(input);
  if (r.match) return r;
  if (input.indexOf('&') >= 0) {
    const d = decodeEntities(input);
    if (d !== input) {
      const r2 = detectRaw(d);
      if (r2.match) return r2;
      if (d.indexOf('\\') >= 0) return detectRaw(decodeCss(d));
    }
  }
  if (input.indexOf('\\') >= 0) return detectRaw(decodeCss(input));
  return NO;
}

function detectRaw(input: string): XssResult {
  // Fast exits: nothing resembling markup, a handler or a script URL.
  const lower = input.toLowerCase();
  const hasLt = lower.indexOf('<') >= 0;
  if (
    !hasLt &&
    lower.indexOf('script') < 0 &&
    lower.indexOf('on') < 0 &&
    lower.indexOf('expression') < 0 &&
    lower.indexOf('data:') < 0
  ) {
    return NO;
  }
  // 1. tags
  if (hasLt) {
    const tagRe = /<\s*(\/?)\s*([a-z!?][a-z0-9:_-]*)([^<>]*)/gi;
    for (let m = tagRe.exec(lower); m !== null; m = tagRe.exec(lower)) {
      const name = m[2]!;
      const rest = m[3]!;
      if (/^!(doctype|entity|attlist|element)/.test(name) && /\[|system|entity/.test(lower))
        return { match: true, matchedData: ['<', name] };
      if (name.startsWith('!--') || name === '!') {
        // comments hide payloads from naive filters; IE conditional comments run script
        if (/\[if|<!--\s*#exec/.test(lower.slice(m.index, m.index + 40))) return { match: true, matchedData: ['<!--'] };
        continue;
      }
      if (name.startsWith('?') && /^\?(xml|import|php)/.test(name)) return { match: true, matchedData: ['<', name] };
      if (m[1] === '' && ALONE_TAGS.has(name)) return { match: true, matchedData: ['<', name] };
      const attr = attrCheck(rest);
      if (attr !== undefined && (BAD_TAGS.has(name) || name.length > 0))
        return { match: true, matchedData: ['<', name, attr] };
    }
  }
  // 2. attribute context: input closes a quote/attribute and adds a handler or a script URL
  const ev = EVENT_ATTR.exec(lower);
  if (ev && (/^[\s"'`]*[a-z0-9_-]*\s*["'`]?\s*(?:\/|\s)/.test(lower) || /["'`]/.test(lower.slice(0, ev.index + 1)))) {
    if (isHandler(ev[1]!)) return { match: true, matchedData: [ev[1]!, '='] };
  }
  const sc = SCHEME.exec(lower);
  if (
    sc &&
    (sc.index === 0 || /^[\s"'`=]*$/.test(lower.slice(0, sc.index)) || /[=\s"'`(]\s*$/.test(lower.slice(0, sc.index)))
  ) {
    return { match: true, matchedData: [sc[0]] };
  }
  const ex = EXPRESSION.exec(lower);
  if (ex && /["';{:=]/.test(lower)) return { match: true, matchedData: [ex[0]] };
  return NO;
}

/** Handler names: on + a letter sequence; excludes common words that merely start with "on". */
function isHandler(name: string): boolean {
  return !/^(only|once|online|ones|onto|onward|onwards|onset|onion|onions)$/.test(name);
}

/** A dangerous attribute inside a tag's attribute text: event handler, script URL, CSS expression. */
function attrCheck(rest: string): string | undefined {
  const ev = EVENT_ATTR.exec(rest);
  if (ev && isHandler(ev[1]!)) return ev[1];
  const attrRe = /([a-z:_-]+)\s*=\s*(["'`]?)([^"'`\s>]*)/gi;
  for (let m = attrRe.exec(rest); m !== null; m = attrRe.exec(rest)) {
    const name = m[1]!;
    if (URL_ATTRS.test(name)) {
      const after = rest.slice(m.index);
      if (SCHEME.test(after) || (name === 'style' && EXPRESSION.test(after))) return name;
    }
  }
  if (/(?:^|\s)style\s*=/.test(rest) && (EXPRESSION.test(rest) || /url\s*\(|expr/.test(rest))) return 'style';
  if (/(?:^|\s)(datasrc|datafld|dataformatas|ev:event|ev:handler)\s*=/.test(rest)) return 'datasrc';
  return undefined;
}
