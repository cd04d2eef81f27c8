/**
 * KMS errors as the AWS JSON 1.1 protocol returns them: `{"__type": name, "message": text}` with an HTTP status.
 * Messages follow what AWS returns (recorded against real AWS where known; see docs/kms.md).
 */
export class KmsError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

export const notFound = (message: string) => new KmsError('NotFoundException', message);
export const keyDoesNotExist = (arn: string) => notFound(`Key '${arn}' does not exist`);
export const invalidKeyId = (id: string) => notFound(`Invalid keyId '${id}'`);
export const disabled = (arn: string) => new KmsError('DisabledException', `${arn} is disabled.`);
export const invalidState = (message: string) => new KmsError('KMSInvalidStateException', message);
export const invalidKeyUsage = (arn: string, usage: string, op: string) =>
  new KmsError('InvalidKeyUsageException', `${arn} key usage is ${usage} which is not valid for ${op}.`);
export const incorrectKey = () =>
  new KmsError(
    'IncorrectKeyException',
    'The key ID in the request does not identify a CMK that can perform this operation.',
  );
/** AWS answers every tampered, truncated or context-mismatched ciphertext with an empty message. */
export const invalidCiphertext = () => new KmsError('InvalidCiphertextException', '');
export const unsupported = (message = '') => new KmsError('UnsupportedOperationException', message);
export const validation = (message: string) => new KmsError('ValidationException', message);
export const malformedPolicy = (message: string) => new KmsError('MalformedPolicyDocumentException', message);
export const internal = (message: string) => new KmsError('KMSInternalException', message, 500);

/**
 * Collects model-constraint violations and throws one ValidationException in AWS's wording:
 * `2 validation errors detected: Value 'x' at 'keySpec' failed to satisfy constraint: …; Value …`.
 */
export class Violations {
  private readonly items: string[] = [];

  /** `value` undefined omits the value (AWS never echoes blobs such as plaintext). */
  add(member: string, constraint: string, value?: unknown): void {
    const shown =
      value === undefined ? 'Value' : `Value '${typeof value === 'string' ? value : JSON.stringify(value)}'`;
    this.items.push(`${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  enumValue(member: string, value: unknown, allowed: readonly string[]): void {
    this.add(member, `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
  }

  throwIfAny(): void {
    const n = this.items.length;
    if (n === 0) return;
    throw validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.items.join('; ')}`);
  }
}
