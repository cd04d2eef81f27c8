import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwsJsonProtocolError,
  encodeAwsJson,
  protocolError,
  type RunningAwsJsonServer,
  startAwsJsonServer,
  toWire,
} from '../../src/core/awsjson.js';

/** The JSON 1.1 plumbing shared by the bus and KMS servers (src/core/awsjson.ts), on a toy service. */
class ToyError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

describe('toWire / encodeAwsJson', () => {
  it('encodes blobs as base64 and Dates as epoch seconds, recursively, leaving the rest alone', () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(
      toWire({
        Blob: Buffer.from('hi'),
        View: bytes.subarray(1, 3),
        When: new Date('2026-11-29T06:00:00.250Z'),
        List: [{ At: new Date(0) }, 'x', 3, null, true],
      }),
    ).toEqual({
      Blob: 'aGk=',
      View: 'AQI=',
      When: 1795932000.25,
      List: [{ At: 0 }, 'x', 3, null, true],
    });
    expect(encodeAwsJson(undefined)).toBe('{}');
  });
});

describe('startAwsJsonServer', () => {
  let server: RunningAwsJsonServer;
  const seen: { op: string; status: number; error?: string }[] = [];
  beforeAll(async () => {
    server = await startAwsJsonServer<{ user: string }>({
      targetPrefix: 'Toy_1.',
      serviceName: 'toy',
      maxBodyBytes: 64,
      authenticate: (r) => {
        if (r.headers.authorization?.[0] !== 'let-me-in') throw new ToyError('UnrecognizedClientException', 'no');
        return { user: 'alice' };
      },
      dispatch: async (op, input, auth, r) => {
        if (op === 'Echo') return { ...input, User: auth.user, RequestId: r.requestId, At: new Date(1000) };
        throw new ToyError('UnknownOperationException', `no ${op}`);
      },
      toError: (err) =>
        err instanceof ToyError
          ? { type: err.type, message: err.message, status: 400 }
          : (protocolError(err) ?? { type: 'InternalFailure', message: String(err), status: 500 }),
      onRequest: (info) => seen.push({ op: info.op, status: info.status, error: info.error }),
    });
  });
  afterAll(() => server.close());

  const post = (target: string | undefined, body: string, auth = 'let-me-in') =>
    fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        authorization: auth,
        ...(target ? { 'x-amz-target': target } : {}),
      },
      body,
    });

  it('routes X-Amz-Target to the operation and answers JSON 1.1 with a request id', async () => {
    const res = await post('Toy_1.Echo', '{"A": 1}');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const id = res.headers.get('x-amzn-requestid');
    expect(await res.json()).toEqual({ A: 1, User: 'alice', RequestId: id, At: 1 });
  });

  it("serialises errors as {__type, message} with x-amzn-ErrorType; authentication comes before the body's JSON", async () => {
    const cases: [string | undefined, string, string, number, string][] = [
      ['Toy_1.Nope', '{}', 'let-me-in', 400, 'UnknownOperationException'],
      ['Other.Echo', '{}', 'let-me-in', 400, 'UnknownOperationException'],
      [undefined, '{}', 'let-me-in', 400, 'UnknownOperationException'],
      ['Toy_1.Echo', '{not json', 'let-me-in', 400, 'SerializationException'],
      ['Toy_1.Echo', '[1]', 'let-me-in', 400, 'SerializationException'],
      ['Toy_1.Echo', '{not json', 'wrong', 400, 'UnrecognizedClientException'],
      ['Toy_1.Echo', `{"A": "${'x'.repeat(100)}"}`, 'let-me-in', 413, 'SerializationException'],
    ];
    for (const [target, body, auth, status, type] of cases) {
      const res = await post(target, body, auth);
      expect([target, res.status]).toEqual([target, status]);
      expect(res.headers.get('x-amzn-errortype')).toBe(type);
      expect(((await res.json()) as { __type: string }).__type).toBe(type);
    }
    // The body is read (and refused) before the target is looked at, so the log names no operation.
    expect(seen.at(-1)).toEqual({ op: '-', status: 413, error: 'SerializationException' });
  });

  it('answers GET /healthz with the service name', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok', service: 'toy' });
  });

  it('keeps protocol errors distinguishable for the services', () => {
    expect(protocolError(new AwsJsonProtocolError('SerializationException', 'x', 413))).toEqual({
      type: 'SerializationException',
      message: 'x',
      status: 413,
    });
    expect(protocolError(new Error('x'))).toBeUndefined();
  });
});
