/**
 * Public keys fetched with CloudTrail's ListPublicKeys through the AWS SDK — from AWS itself, or from any
 * CloudTrail-compatible endpoint (such as `vigil trail serve-keys`). Credentials, profile and region resolve like
 * the AWS CLI's.
 */
import { describeError, VigilError } from '../core/errors.js';
import { decodeKeyValue, type PublicKeyEntry, type PublicKeySource } from './keys.js';

export interface CloudTrailKeyOptions {
  region: string;
  endpointUrl?: string;
  profile?: string;
}

export class CloudTrailKeySource implements PublicKeySource {
  readonly description: string;
  private client: Promise<import('@aws-sdk/client-cloudtrail').CloudTrailClient> | undefined;

  constructor(private readonly opts: CloudTrailKeyOptions) {
    this.description = `ListPublicKeys (${opts.endpointUrl ?? `CloudTrail ${opts.region}`})`;
  }

  private getClient() {
    this.client ??= import('@aws-sdk/client-cloudtrail').then(
      ({ CloudTrailClient }) =>
        new CloudTrailClient({
          region: this.opts.region,
          ...(this.opts.endpointUrl ? { endpoint: this.opts.endpointUrl } : {}),
          ...(this.opts.profile ? { profile: this.opts.profile } : {}),
        }),
    );
    return this.client;
  }

  async keysBetween(start: number, end: number): Promise<Map<string, PublicKeyEntry>> {
    const { ListPublicKeysCommand } = await import('@aws-sdk/client-cloudtrail');
    const client = await this.getClient();
    const out = new Map<string, PublicKeyEntry>();
    let token: string | undefined;
    do {
      let page: import('@aws-sdk/client-cloudtrail').ListPublicKeysCommandOutput;
      try {
        page = await client.send(
          new ListPublicKeysCommand({ StartTime: new Date(start), EndTime: new Date(end), NextToken: token }),
        );
      } catch (err) {
        throw new VigilError(`${this.description} failed: ${describeError(err)}`);
      }
      for (const k of page.PublicKeyList ?? []) {
        const der = k.Value ? decodeKeyValue(k.Value) : undefined;
        if (!k.Fingerprint || !der || !k.ValidityStartTime || !k.ValidityEndTime) continue;
        out.set(k.Fingerprint, {
          fingerprint: k.Fingerprint,
          der,
          validityStart: k.ValidityStartTime.getTime(),
          validityEnd: k.ValidityEndTime.getTime(),
        });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }
}
