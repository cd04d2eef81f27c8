import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applyPreParse,
  applyTransforms,
  TRANSFORMATION_TYPES,
  type TransformationType,
  toBytes,
  transform,
} from '../../src/waf/transforms.js';

const t = (type: TransformationType, s: string) => transform(type, s);

describe('text transformations (waf.md §7)', () => {
  it('covers the 31 SDK enum values', () => {
    expect(TRANSFORMATION_TYPES).toHaveLength(31);
    for (const type of TRANSFORMATION_TYPES) expect(typeof t(type, 'aB \0c')).toBe('string');
  });
  it.each<[TransformationType, string, string]>([
    ['NONE', 'AbC', 'AbC'],
    ['LOWERCASE', 'SeLeCT \xc9', 'select \xc9'], // A–Z only: latin1 É stays
    ['UPPERCASE', 'abc', 'ABC'],
    ['COMPRESS_WHITE_SPACE', 'a\t\n\r\v\f\xa0  b', 'a b'],
    ['URL_DECODE', '%3Cscript%3E+x%zz', '<script> x%zz'],
    ['URL_DECODE_UNI', '%u003c%uFF1Cx', '<<x'],
    ['HTML_ENTITY_DECODE', '&lt;&gt;&quot;&#65;&#x42;&nbsp;&eacute;&amp;', '<>"AB\xa0&eacute;&amp;'],
    ['CMD_LINE', 'C^md.exe /C "Dir" , x;y  z ( a', 'cmd.exe/c dir x y z( a'],
    ['BASE64_DECODE', 'PHNjcmlwdD4=', '<script>'],
    ['BASE64_DECODE_EXT', 'PHNj.cmlw!dD4', '<script>'],
    ['HEX_DECODE', '414243', 'ABC'],
    ['SQL_HEX_DECODE', 'x=0x414243', 'x=ABC'],
    ['REPLACE_COMMENTS', 'a/*x*/b/**/c/*open', 'a b c '],
    ['REMOVE_NULLS', 'a\0b', 'ab'],
    ['REPLACE_NULLS', 'a\0b', 'a b'],
    ['ESCAPE_SEQ_DECODE', '\\x41\\n\\101\\q', 'A\nA\\q'],
    ['JS_DECODE', '\\u0041\\x42\\uFF21', 'ABA'],
    ['CSS_DECODE', 'ja\\vascript\\3a', 'javascript:'],
    ['NORMALIZE_PATH', '/a//b/./c/../d', '/a/b/d'],
    ['NORMALIZE_PATH_WIN', '\\a\\..\\b', '/b'],
    ['UTF8_TO_UNICODE', toBytes('é'), '%u00e9'],
    ['TRIM', ' \t x \n', 'x'],
    ['REMOVE_WHITESPACE', 'a b\tc', 'abc'],
  ])('%s(%j) = %j', (type, input, out) => {
    expect(t(type, input)).toBe(out);
  });
  it('MD5 and SHA256 produce the raw digest bytes', () => {
    expect(Buffer.from(t('MD5', 'abc'), 'latin1').toString('hex')).toBe(createHash('md5').update('abc').digest('hex'));
    expect(t('SHA256', 'abc')).toHaveLength(32);
  });
  it('applies a chain in order', () => {
    expect(applyTransforms(['URL_DECODE', 'HTML_ENTITY_DECODE', 'LOWERCASE'], '%26lt%3BSCRIPT')).toBe('<script');
  });
  it('pre-parse transformations rewrite the raw query string', () => {
    expect(applyPreParse(['REPLACE_SEMICOLONS_WITH_AMPERSANDS'], 'a=1;b=2')).toBe('a=1&b=2');
    expect(applyPreParse(['COMBINE_DUPLICATE_QUERY_ARGS_BY_COMMA'], 'a=1&b=2&a=3')).toBe('a=1,3&b=2');
  });
});
