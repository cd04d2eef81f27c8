import { describe, expect, it } from 'vitest';
import { intToIpv4, ipv4ToInt, isPrivateV4 } from './ipv4.js';

describe('IPv4 helpers', () => {
  it('converts dotted quads (one to three digits per octet, leading zeros read as decimal)', () => {
    expect(ipv4ToInt('0.0.0.0')).toBe(0);
    expect(ipv4ToInt('1.2.3.4')).toBe(0x01020304);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToInt('203.0.113.45')).toBe(((203 * 256 + 0) * 256 + 113) * 256 + 45);
    expect(ipv4ToInt('001.002.003.004')).toBe(0x01020304);
    expect(intToIpv4(ipv4ToInt('198.51.100.7'))).toBe('198.51.100.7');
  });

  it('rejects anything else with -1', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      '256.1.1.1',
      '1.2.3.999',
      '1234.1.1.1',
    ]) {
      expect(ipv4ToInt(bad), bad).toBe(-1);
    }
    for (const bad of [
      '1.2.3.0255',
      'a.b.c.d',
      '1.2.3.4a',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '::1',
      '2001:db8::1',
      '1.2.3.4/24',
    ]) {
      expect(ipv4ToInt(bad), bad).toBe(-1);
    }
  });

  it('classifies private and reserved ranges', () => {
    for (const ip of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '224.0.0.1',
    ]) {
      expect(isPrivateV4(ipv4ToInt(ip)), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '203.0.113.9'])
      expect(isPrivateV4(ipv4ToInt(ip)), ip).toBe(false);
  });
});
