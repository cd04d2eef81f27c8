import { describe, expect, it } from 'vitest';
import { base64Offsets, expandPlaceholders } from '../../src/sigma/modifiers.js';
import { ONE, STAR } from '../../src/sigma/types.js';
import { parseSigmaString } from '../../src/sigma/values.js';
import { loadErrors, matches } from './check.js';

/** A one-item detection `f: '<value>'` (value given raw, as written in YAML single quotes). */
const one = (value: string) => `sel: { f: '${value}' }\ncondition: sel`;

const b64 = (text: string | Buffer) => (typeof text === 'string' ? Buffer.from(text) : text).toString('base64');

describe('escaping and wildcards (spec §3.2)', () => {
  it('parses the spec escape forms', () => {
    expect(parseSigmaString('a\\*b').parts).toEqual(['a*b']);
    expect(parseSigmaString('a\\?b').parts).toEqual(['a?b']);
    expect(parseSigmaString('C:\\\\*').parts).toEqual(['C:\\', STAR]);
    expect(parseSigmaString('C:\\\\\\*').parts).toEqual(['C:\\*']);
    expect(parseSigmaString('a\\\\\\b').parts).toEqual(['a\\\\b']);
    expect(parseSigmaString('a\\\\\\\\b').parts).toEqual(['a\\\\b']);
    expect(parseSigmaString('C:\\Windows').parts).toEqual(['C:\\Windows']);
    expect(parseSigmaString('C:\\\\Windows').parts).toEqual(['C:\\Windows']);
    expect(parseSigmaString('a*b?c').parts).toEqual(['a', STAR, 'b', ONE, 'c']);
  });

  it('matches literal and wildcard stars as the spec says', () => {
    expect(matches(one(String.raw`a\*b`), { f: 'a*b' })).toBe(true);
    expect(matches(one(String.raw`a\*b`), { f: 'axxb' })).toBe(false);
    expect(matches(one(String.raw`C:\\*`), { f: 'C:\\Windows' })).toBe(true);
    expect(matches(one(String.raw`C:\\\*`), { f: 'C:\\*' })).toBe(true);
    expect(matches(one(String.raw`C:\\\*`), { f: 'C:\\Windows' })).toBe(false);
    expect(matches(one(String.raw`C:\Windows\System32`), { f: 'c:\\windows\\system32' })).toBe(true);
    expect(matches(one(String.raw`a\\\\b`), { f: 'a\\\\b' })).toBe(true);
  });

  it('? is exactly one character, * any run including empty', () => {
    const d = "sel: { f: 'ab?d*' }\ncondition: sel";
    expect(matches(d, { f: 'abcd' })).toBe(true);
    expect(matches(d, { f: 'abcdXYZ' })).toBe(true);
    expect(matches(d, { f: 'abd' })).toBe(false);
    expect(matches(d, { f: 'abccd' })).toBe(false);
  });

  it('a plain value is a whole-value, case-insensitive match', () => {
    const d = "sel: { eventName: 'StopLogging' }\ncondition: sel";
    expect(matches(d, { eventName: 'stoplogging' })).toBe(true);
    expect(matches(d, { eventName: 'StopLoggingX' })).toBe(false);
    expect(matches(d, {})).toBe(false);
  });

  it("'' matches only the empty string", () => {
    const d = "sel: { f: '' }\ncondition: sel";
    expect(matches(d, { f: '' })).toBe(true);
    expect(matches(d, { f: 'x' })).toBe(false);
    expect(matches(d, { f: null })).toBe(false);
    expect(matches(d, {})).toBe(false);
  });
});

describe('generic modifiers', () => {
  it('contains / startswith / endswith', () => {
    expect(matches("sel: { f|contains: 'LOG' }\ncondition: sel", { f: 'StopLogging' })).toBe(true);
    expect(matches("sel: { f|startswith: 'stop' }\ncondition: sel", { f: 'StopLogging' })).toBe(true);
    expect(matches("sel: { f|startswith: 'logging' }\ncondition: sel", { f: 'StopLogging' })).toBe(false);
    expect(matches("sel: { f|endswith: 'LOGGING' }\ncondition: sel", { f: 'StopLogging' })).toBe(true);
    expect(matches("sel: { f|endswith: 'stop' }\ncondition: sel", { f: 'StopLogging' })).toBe(false);
    // Wildcards inside a contains value still work.
    expect(matches("sel: { f|contains: 'a*c' }\ncondition: sel", { f: 'xxabbbcxx' })).toBe(true);
  });

  it('cased makes the comparison case-sensitive', () => {
    expect(matches("sel: { f|cased: 'Stop' }\ncondition: sel", { f: 'Stop' })).toBe(true);
    expect(matches("sel: { f|cased: 'Stop' }\ncondition: sel", { f: 'stop' })).toBe(false);
    expect(matches("sel: { f|contains|cased: 'Log' }\ncondition: sel", { f: 'StopLogging' })).toBe(true);
    expect(matches("sel: { f|contains|cased: 'log' }\ncondition: sel", { f: 'StopLogging' })).toBe(false);
  });

  it('all ANDs a value list; not allowed on a single value', () => {
    const d = "sel:\n  f|contains|all:\n    - '-enc'\n    - 'hidden'\ncondition: sel";
    expect(matches(d, { f: 'powershell -w hidden -enc AAA' })).toBe(true);
    expect(matches(d, { f: 'powershell -enc AAA' })).toBe(false);
    expect(loadErrors("sel: { f|contains|all: 'x' }\ncondition: sel")).toEqual([
      "modifier 'all' needs a list of two or more values",
    ]);
    // Each value may be matched by a different array element.
    expect(matches(d, { f: ['x -enc', 'hidden y'] })).toBe(true);
  });

  it('a value list is OR', () => {
    const d = 'sel:\n  eventName:\n    - StopLogging\n    - DeleteTrail\ncondition: sel';
    expect(matches(d, { eventName: 'DeleteTrail' })).toBe(true);
    expect(matches(d, { eventName: 'UpdateTrail' })).toBe(false);
  });

  it('exists checks presence only (null and empty exist)', () => {
    const yes = 'sel: { f|exists: true }\ncondition: sel';
    const no = 'sel: { f|exists: false }\ncondition: sel';
    for (const v of ['x', '', null, 0, false, {}, []]) {
      expect(matches(yes, { f: v })).toBe(true);
      expect(matches(no, { f: v })).toBe(false);
    }
    expect(matches(yes, {})).toBe(false);
    expect(matches(no, {})).toBe(true);
    expect(matches('sel: { a.b|exists: true }\ncondition: sel', { a: { b: null } })).toBe(true);
    expect(loadErrors("sel: { f|exists: 'yes' }\ncondition: sel")).toEqual([
      "modifier 'exists' needs a boolean value (true or false)",
    ]);
    expect(loadErrors('sel: { f|exists|contains: true }\ncondition: sel')).toEqual([
      "modifier 'exists' cannot be combined with other modifiers",
    ]);
  });

  it('neq negates the item: differs from every listed value, true when absent', () => {
    const d = 'sel:\n  f|neq:\n    - a\n    - b\ncondition: sel';
    expect(matches(d, { f: 'c' })).toBe(true);
    expect(matches(d, { f: 'A' })).toBe(false);
    expect(matches(d, { f: 'b' })).toBe(false);
    expect(matches(d, {})).toBe(true);
    expect(matches('sel: { f|neq: 5 }\ncondition: sel', { f: 6 })).toBe(true);
    expect(matches('sel: { f|neq: 5 }\ncondition: sel', { f: '5' })).toBe(false);
  });
});

describe('re', () => {
  it('searches (unanchored), case-sensitive by default', () => {
    const d = "sel: { userIdentity.arn|re: '.+:assumed-role/aws:.+' }\ncondition: sel";
    expect(matches(d, { userIdentity: { arn: 'arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1' } })).toBe(true);
    expect(matches(d, { userIdentity: { arn: 'arn:aws:sts::1:assumed-role/AWS:ec2-instance/i-1' } })).toBe(false);
    expect(matches("sel: { f|re: 'b+c' }\ncondition: sel", { f: 'aabbbcdd' })).toBe(true);
    expect(matches("sel: { f|re: '^b+c' }\ncondition: sel", { f: 'aabbbcdd' })).toBe(false);
  });

  it('i, m and s flags (and their long names)', () => {
    expect(matches("sel: { f|re|i: 'STOP' }\ncondition: sel", { f: 'stoplogging' })).toBe(true);
    expect(matches("sel: { f|re|ignorecase: 'STOP' }\ncondition: sel", { f: 'stoplogging' })).toBe(true);
    expect(matches("sel: { f|re: '^two$' }\ncondition: sel", { f: 'one\ntwo\nthree' })).toBe(false);
    expect(matches("sel: { f|re|m: '^two$' }\ncondition: sel", { f: 'one\ntwo\nthree' })).toBe(true);
    expect(matches("sel: { f|re|multiline: '^two$' }\ncondition: sel", { f: 'one\ntwo\nthree' })).toBe(true);
    expect(matches("sel: { f|re: 'one.two' }\ncondition: sel", { f: 'one\ntwo' })).toBe(false);
    expect(matches("sel: { f|re|s: 'one.two' }\ncondition: sel", { f: 'one\ntwo' })).toBe(true);
    expect(matches("sel: { f|re|dotall: 'one.two' }\ncondition: sel", { f: 'one\ntwo' })).toBe(true);
    expect(matches("sel: { f|re: '(?i)STOP' }\ncondition: sel", { f: 'stoplogging' })).toBe(true);
  });

  it('supports the spec subset: classes, quantifiers, groups, alternation', () => {
    const d = "sel: { f|re: '^(Stop|Delete)[A-Z][a-z]{2,10}$' }\ncondition: sel";
    expect(matches(d, { f: 'DeleteTrail' })).toBe(true);
    expect(matches(d, { f: 'StopLogging' })).toBe(true);
    expect(matches(d, { f: 'UpdateTrail' })).toBe(false);
    expect(matches("sel: { f|re: '[^0-9]x?\\.exe' }\ncondition: sel", { f: 'a.exe' })).toBe(true);
  });

  it('rejects unsupported constructs, flags without re, and modifiers before re', () => {
    expect(loadErrors("sel: { f|re: 'a(?=b)' }\ncondition: sel")[0]).toMatch(/look-ahead is not supported/);
    expect(loadErrors("sel: { f|re: '(a)\\1' }\ncondition: sel")[0]).toMatch(/back-references are not supported/);
    expect(loadErrors("sel: { f|re: '(a+)+$' }\ncondition: sel")[0]).toMatch(/catastrophic backtracking/);
    expect(loadErrors("sel: { f|re: 'a++' }\ncondition: sel")[0]).toMatch(/possessive/);
    expect(loadErrors("sel: { f|re: '\\p{L}' }\ncondition: sel")[0]).toMatch(/escape '\\p' is not supported/);
    expect(loadErrors("sel: { f|re: '(ab' }\ncondition: sel")[0]).toMatch(/missing '\)'/);
    expect(loadErrors("sel: { f|i: 'x' }\ncondition: sel")[0]).toMatch(/needs 're'/);
    expect(loadErrors("sel: { f|contains|re: 'x' }\ncondition: sel")[0]).toMatch(/cannot be applied before 're'/);
  });
});

describe('encodings', () => {
  it('base64 matches the encoded value (case-sensitive)', () => {
    const d = "sel: { f|base64: 'http://' }\ncondition: sel";
    expect(matches(d, { f: 'aHR0cDovLw==' })).toBe(true);
    expect(matches(d, { f: 'AHR0CDOVLW==' })).toBe(false);
    expect(matches("sel: { f|base64|contains: 'http://' }\ncondition: sel", { f: 'xx aHR0cDovLw== yy' })).toBe(true);
  });

  it('base64offset yields the three shifts of the spec', () => {
    expect(base64Offsets(Buffer.from('http://'))).toEqual(['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v']);
    const d = "sel: { f|base64offset|contains: 'http://' }\ncondition: sel";
    // The value at byte offset 0, 1 and 2 of a larger encoded string.
    expect(matches(d, { f: b64('http://evil.example/') })).toBe(true);
    expect(matches(d, { f: b64('xhttp://evil.example/') })).toBe(true);
    expect(matches(d, { f: b64('xyhttp://evil.example/') })).toBe(true);
    expect(matches(d, { f: b64('xyzhttp://evil.example/') })).toBe(true);
    expect(matches(d, { f: b64('https://evil.example/') })).toBe(false);
  });

  it('utf16le / wide / utf16be / utf16 produce the spec byte sequences', () => {
    const le = Buffer.from('63006d006400', 'hex'); // spec: cmd > 63 00 6d 00 64 00
    const be = Buffer.from('0063006d0064', 'hex'); // spec: cmd > 00 63 00 6d 00 64
    const bom = Buffer.from('fffe63006d006400', 'hex'); // spec: cmd > FF FE 63 00 6d 00 64 00
    expect(matches("sel: { f|utf16le|base64: 'cmd' }\ncondition: sel", { f: b64(le) })).toBe(true);
    expect(matches("sel: { f|wide|base64: 'cmd' }\ncondition: sel", { f: b64(le) })).toBe(true);
    expect(matches("sel: { f|utf16be|base64: 'cmd' }\ncondition: sel", { f: b64(be) })).toBe(true);
    expect(matches("sel: { f|utf16|base64: 'cmd' }\ncondition: sel", { f: b64(bom) })).toBe(true);
    expect(matches("sel: { f|utf16le|base64: 'cmd' }\ncondition: sel", { f: b64(be) })).toBe(false);
    // The usual chain for PowerShell -EncodedCommand: wide, base64offset, contains.
    const ps = Buffer.from('IEX (New-Object Net.WebClient)', 'utf16le');
    const d = "sel: { f|wide|base64offset|contains: 'New-Object' }\ncondition: sel";
    expect(matches(d, { f: `powershell -enc ${b64(ps)}` })).toBe(true);
    expect(matches(d, { f: `powershell -enc ${b64(Buffer.from('IEX (New-Object Net.WebClient)'))}` })).toBe(false);
  });

  it('a raw UTF-16 value without Base64 compares bytes (and so does not match plain text)', () => {
    expect(matches("sel: { f|wide: 'cmd' }\ncondition: sel", { f: 'cmd' })).toBe(false);
    expect(matches("sel: { f|wide: 'cmd' }\ncondition: sel", { f: 'c\u0000m\u0000d\u0000' })).toBe(true);
  });

  it('rejects Base64 of wildcard values', () => {
    expect(loadErrors("sel: { f|contains|base64: 'a' }\ncondition: sel")[0]).toMatch(/wildcards is not allowed/);
  });
});

describe('windash', () => {
  it('makes -, /, en dash, em dash and horizontal bar interchangeable', () => {
    const d = "sel: { f|windash|contains: ' -exec bypass' }\ncondition: sel";
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) {
      expect(matches(d, { f: `powershell.exe ${dash}exec bypass` })).toBe(true);
    }
    expect(matches(d, { f: 'powershell.exe +exec bypass' })).toBe(false);
  });

  it('varies every occurrence independently (5^n variants)', () => {
    const d = "sel: { f|windash: '-a-b' }\ncondition: sel";
    expect(matches(d, { f: '/a\u2014b' })).toBe(true);
    expect(matches(d, { f: '\u2015a-b' })).toBe(true);
    expect(matches(d, { f: '/a/b' })).toBe(true);
    expect(matches(d, { f: '/a.b' })).toBe(false);
  });

  it('windash before an encoding expands the variants', () => {
    const d = "sel: { f|windash|base64: '-x' }\ncondition: sel";
    expect(matches(d, { f: b64('/x') })).toBe(true);
    expect(matches(d, { f: b64('\u2013x') })).toBe(true);
  });
});

describe('numeric modifiers', () => {
  it('lt / lte / gt / gte on numbers and numeric strings', () => {
    expect(matches('sel: { n|lt: 10 }\ncondition: sel', { n: 9 })).toBe(true);
    expect(matches('sel: { n|lt: 10 }\ncondition: sel', { n: 10 })).toBe(false);
    expect(matches('sel: { n|lte: 10 }\ncondition: sel', { n: '10' })).toBe(true);
    expect(matches('sel: { n|gt: 10 }\ncondition: sel', { n: 10.5 })).toBe(true);
    expect(matches('sel: { n|gte: 10 }\ncondition: sel', { n: 9.99 })).toBe(false);
    expect(matches('sel: { n|gt: 10 }\ncondition: sel', { n: 'many' })).toBe(false);
    expect(matches('sel: { n|gt: 10 }\ncondition: sel', {})).toBe(false);
    expect(loadErrors("sel: { n|gt: 'ten' }\ncondition: sel")).toEqual(["value 'ten' is not a number"]);
  });

  it('plain numbers compare with numbers and their decimal text', () => {
    expect(matches('sel: { id: 4625 }\ncondition: sel', { id: 4625 })).toBe(true);
    expect(matches('sel: { id: 4625 }\ncondition: sel', { id: '4625' })).toBe(true);
    expect(matches('sel: { id: 4625 }\ncondition: sel', { id: '4626' })).toBe(false);
    expect(matches("sel: { ok: 'true' }\ncondition: sel", { ok: true })).toBe(true);
    expect(matches('sel: { ok: false }\ncondition: sel', { ok: false })).toBe(true);
  });
});

describe('time modifiers', () => {
  const t = { eventTime: '2024-07-30T21:57:15Z' }; // a Tuesday, ISO week 31
  it('extract UTC components from ISO-8601 text', () => {
    expect(matches('sel: { eventTime|minute: 57 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|hour: 21 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|day: 30 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|week: 31 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|month: 7 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|year: 2024 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|hour: 22 }\ncondition: sel', t)).toBe(false);
  });

  it('combine with comparisons and read epoch seconds / milliseconds', () => {
    expect(matches('sel: { eventTime|hour|gte: 20 }\ncondition: sel', t)).toBe(true);
    expect(matches('sel: { eventTime|hour|lt: 6 }\ncondition: sel', t)).toBe(false);
    expect(matches('sel: { start|hour: 21 }\ncondition: sel', { start: 1722376635 })).toBe(true);
    expect(matches('sel: { timestamp|hour: 21 }\ncondition: sel', { timestamp: 1722376635000 })).toBe(true);
    expect(matches('sel: { eventTime|hour: 21 }\ncondition: sel', { eventTime: 'not a date' })).toBe(false);
    expect(matches('sel: { d|week: 1 }\ncondition: sel', { d: '2021-01-04T00:00:00Z' })).toBe(true);
    expect(matches('sel: { d|week: 53 }\ncondition: sel', { d: '2021-01-03T00:00:00Z' })).toBe(true);
  });
});

describe('cidr', () => {
  it('IPv4 and IPv6 ranges, lists are OR', () => {
    const d = "sel:\n  sourceIPAddress|cidr:\n    - 10.0.0.0/8\n    - '2001:db8::/32'\ncondition: sel";
    expect(matches(d, { sourceIPAddress: '10.1.2.3' })).toBe(true);
    expect(matches(d, { sourceIPAddress: '11.1.2.3' })).toBe(false);
    expect(matches(d, { sourceIPAddress: '2001:db8:1::5' })).toBe(true);
    expect(matches(d, { sourceIPAddress: '2001:db9::5' })).toBe(false);
    expect(matches(d, { sourceIPAddress: '::ffff:10.9.9.9' })).toBe(true);
    expect(matches(d, { sourceIPAddress: 'AWS Internal' })).toBe(false);
    expect(matches(d, { sourceIPAddress: 'ec2.amazonaws.com' })).toBe(false);
    expect(matches('sel: { ip|cidr: 192.168.1.0/25 }\ncondition: sel', { ip: '192.168.1.127' })).toBe(true);
    expect(matches('sel: { ip|cidr: 192.168.1.0/25 }\ncondition: sel', { ip: '192.168.1.128' })).toBe(false);
    const placeholders = { internal: ['10.0.0.0/8', 'fd00::/8'] };
    const expanded = "sel: { ip|cidr|expand: '%internal%' }\ncondition: sel";
    expect(matches(expanded, { ip: '10.2.3.4' }, { placeholders })).toBe(true);
    expect(matches(expanded, { ip: 'fd12::1' }, { placeholders })).toBe(true);
    expect(matches(expanded, { ip: '192.0.2.1' }, { placeholders })).toBe(false);
    expect(loadErrors("sel: { ip|cidr: 'not-a-range' }\ncondition: sel")).toEqual([
      "'not-a-range' is not an IPv4 or IPv6 CIDR range",
    ]);
  });
});

describe('fieldref', () => {
  it('compares two fields of the same record', () => {
    const d = 'sel: { userIdentity.userName|fieldref: requestParameters.userName }\ncondition: sel';
    expect(matches(d, { userIdentity: { userName: 'Bob' }, requestParameters: { userName: 'bob' } })).toBe(true);
    expect(matches(d, { userIdentity: { userName: 'bob' }, requestParameters: { userName: 'alice' } })).toBe(false);
    expect(matches(d, { userIdentity: { userName: 'bob' } })).toBe(false);
  });

  it('combines with neq, contains and cased', () => {
    const rec = { a: 'arn:aws:iam::1:user/bob', b: 'bob' };
    expect(matches('sel: { a|fieldref|neq: b }\ncondition: sel', rec)).toBe(true);
    expect(matches('sel: { a|fieldref|contains: b }\ncondition: sel', rec)).toBe(true);
    expect(matches('sel: { a|fieldref|endswith: b }\ncondition: sel', rec)).toBe(true);
    expect(matches('sel: { a|fieldref|cased: b }\ncondition: sel', { a: 'Bob', b: 'bob' })).toBe(false);
  });
});

describe('expand (placeholders)', () => {
  const placeholders = { Admins: ['root', 'admin*'], Empty: [] };
  it('expands to the configured value list (OR)', () => {
    const d = "sel: { userName|expand: '%Admins%' }\ncondition: sel";
    expect(matches(d, { userName: 'root' }, { placeholders })).toBe(true);
    expect(matches(d, { userName: 'administrator' }, { placeholders })).toBe(true);
    expect(matches(d, { userName: 'bob' }, { placeholders })).toBe(false);
  });

  it('rejects a rule whose placeholder is not configured', () => {
    expect(loadErrors("sel: { userName|expand: '%Servers%' }\ncondition: sel", { placeholders })).toEqual([
      "placeholder '%Servers%' is not defined in the configuration (the rule is rejected)",
    ]);
    expect(loadErrors("sel: { userName|expand: '%Empty%' }\ncondition: sel", { placeholders })[0]).toMatch(
      /not defined/,
    );
  });

  it('\\% is a literal percent; without expand %x% is literal', () => {
    expect(expandPlaceholders('\\%plain%Admins%', { Admins: ['a', 'b'] })).toEqual(['%plaina', '%plainb']);
    expect(matches("sel: { f: '%Admins%' }\ncondition: sel", { f: '%admins%' })).toBe(true);
  });
});

describe('null and structure', () => {
  it('null matches an absent or null field, not an empty string', () => {
    const d = 'sel: { errorCode: null }\ncondition: sel';
    expect(matches(d, {})).toBe(true);
    expect(matches(d, { errorCode: null })).toBe(true);
    expect(matches(d, { errorCode: '' })).toBe(false);
    expect(matches(d, { errorCode: 'AccessDenied' })).toBe(false);
    expect(loadErrors('sel:\n  f:\n    - a\n    - null\ncondition: sel')).toEqual([
      'null cannot be part of a value list',
    ]);
  });

  it('map = AND, list of maps = OR', () => {
    const and = 'sel:\n  a: 1\n  b: 2\ncondition: sel';
    expect(matches(and, { a: 1, b: 2 })).toBe(true);
    expect(matches(and, { a: 1, b: 3 })).toBe(false);
    const or = 'sel:\n  - a: 1\n  - b: 2\ncondition: sel';
    expect(matches(or, { a: 0, b: 2 })).toBe(true);
    expect(matches(or, { a: 0, b: 0 })).toBe(false);
  });

  it('keywords search every leaf value (list = OR, |all = AND)', () => {
    const d = 'keywords:\n  - TruffleHog\n  - s3browser\ncondition: keywords';
    expect(matches(d, { userAgent: 'TruffleHog v3' })).toBe(true);
    expect(matches(d, { a: { b: ['x', 'my S3Browser 1.0'] } })).toBe(true);
    expect(matches(d, { TruffleHog: 'key names are not searched' })).toBe(false);
    const all = "keywords:\n  '|all':\n    - sts\n    - GetCallerIdentity\ncondition: keywords";
    expect(matches(all, { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' })).toBe(true);
    expect(matches(all, { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' })).toBe(false);
  });

  it('dotted fields walk nested objects; arrays match on any element', () => {
    const d =
      "sel:\n  requestParameters.containerDefinitions.command|contains: '$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'\ncondition: sel";
    const rec = {
      requestParameters: {
        containerDefinitions: [
          { command: ['sh', '-c', 'echo hi'] },
          { command: ['sh', '-c', 'curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] },
        ],
      },
    };
    expect(matches(d, rec)).toBe(true);
    expect(matches(d, { requestParameters: { containerDefinitions: [{ command: ['ls'] }] } })).toBe(false);
    // A literal dotted key wins over the nested path.
    expect(matches("sel: { a.b: 'flat' }\ncondition: sel", { 'a.b': 'flat', a: { b: 'nested' } })).toBe(true);
    expect(matches("sel: { a.b: 'nested' }\ncondition: sel", { a: { b: 'nested' } })).toBe(true);
  });

  it('not over an array item is true only when no element matches', () => {
    const d = "sel: { tags: 'x' }\ncondition: not sel";
    expect(matches(d, { tags: ['a', 'x'] })).toBe(false);
    expect(matches(d, { tags: ['a', 'b'] })).toBe(true);
  });

  it('an object-valued field is searched leaf by leaf', () => {
    const d = "sel: { requestParameters|contains: 'Suspended' }\ncondition: sel";
    expect(matches(d, { requestParameters: { VersioningConfiguration: { Status: 'Suspended' } } })).toBe(true);
    expect(matches(d, { requestParameters: { VersioningConfiguration: { Status: 'Enabled' } } })).toBe(false);
  });

  it('unknown modifiers and malformed items are rejected with a reason', () => {
    expect(loadErrors("sel: { f|contain: 'x' }\ncondition: sel")).toEqual(["unknown modifier 'contain'"]);
    expect(loadErrors("sel: { f||contains: 'x' }\ncondition: sel")[0]).toMatch(/empty modifier/);
    expect(loadErrors('sel: { f: { g: 1 } }\ncondition: sel')).toEqual(['a field value cannot be a map']);
    expect(loadErrors('sel: { f: [] }\ncondition: sel')).toEqual(['empty value list']);
    expect(loadErrors("sel: { f|contains|contains: 'x' }\ncondition: sel")).toEqual([
      "modifier 'contains' is repeated",
    ]);
    expect(loadErrors("sel: { f|cidr|contains: '10.0.0.0/8' }\ncondition: sel")[0]).toMatch(/cidr/);
  });
});
