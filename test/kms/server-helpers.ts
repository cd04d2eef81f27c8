import { KMSClient } from '@aws-sdk/client-kms';
import { type CredentialStore, parseCredentials } from '../../src/kms/credentials.js';
import { createKmsService, type KmsOptions, type KmsService } from '../../src/kms/index.js';
import { type RunningKmsServer, startKmsServer } from '../../src/kms/server.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export const CREDS = {
  admin: { accessKeyId: 'AKIAVIGILADMIN', secretAccessKey: 'admin-secret-access-key' },
  alice: { accessKeyId: 'AKIAVIGILALICE', secretAccessKey: 'alice-secret-access-key' },
  bob: { accessKeyId: 'AKIAVIGILBOB', secretAccessKey: 'bob-secret-access-key' },
};

/** admin = account root; alice = IAM user whose IAM is not modelled (allowed); bob = IAM user with no IAM policy. */
export function testCredentials(): CredentialStore {
  return parseCredentials(
    JSON.stringify({
      credentials: [
        { ...CREDS.admin, principal: `arn:aws:iam::${ACCOUNT}:root` },
        { ...CREDS.alice, principal: `arn:aws:iam::${ACCOUNT}:user/alice` },
        { ...CREDS.bob, principal: `arn:aws:iam::${ACCOUNT}:user/bob`, policies: [] },
      ],
    }),
    'test-credentials.json',
    ACCOUNT,
  );
}

export interface TestServer {
  svc: KmsService;
  server: RunningKmsServer;
  client(who?: keyof typeof CREDS, region?: string): KMSClient;
  close(): Promise<void>;
}

export async function startTestServer(opts: KmsOptions = {}, credentials = testCredentials()): Promise<TestServer> {
  const svc = createKmsService({ account: ACCOUNT, region: REGION, ...opts });
  const server = await startKmsServer({ service: svc, credentials, host: '127.0.0.1', port: 0 });
  const clients: KMSClient[] = [];
  return {
    svc,
    server,
    client: (who = 'admin', region = REGION) => {
      const c = new KMSClient({ endpoint: server.url, region, credentials: CREDS[who], maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await server.close();
      svc.close();
    },
  };
}
