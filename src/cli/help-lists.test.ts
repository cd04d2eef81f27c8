import { describe, expect, it } from 'vitest';
import { DETECT_FORMATS as LIB_DETECT_FORMATS } from '../detect/config.js';
import { SERVICES } from '../posture/collect/index.js';
import { PACKS } from '../posture/packs/index.js';
import { MODES } from '../respond/store.js';
import { COLLECT_SERVICES, DETECT_FORMATS, PACK_IDS, RESPOND_MODES } from './help-lists.js';

// The CLI repeats these lists so --help does not load their modules; they must not drift from the libraries.
describe('help lists equal their library sources', () => {
  it('detect formats', () => expect([...DETECT_FORMATS]).toEqual([...LIB_DETECT_FORMATS]));
  it('conformance packs', () => expect([...PACK_IDS]).toEqual(Object.keys(PACKS)));
  it('collect services', () => expect([...COLLECT_SERVICES]).toEqual([...SERVICES]));
  it('respond modes', () => expect([...RESPOND_MODES]).toEqual([...MODES]));
});
