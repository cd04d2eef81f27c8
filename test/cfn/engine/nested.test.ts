import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnknown, loadTemplate } from '../../../src/cfn/index.js';
import { res } from './helpers.js';

const FIX = join(import.meta.dirname, 'fixtures');

describe('nested stacks (AWS::CloudFormation::Stack with a local TemplateURL)', () => {
  it('loads the child with the parent Parameters, recursively, with cycle protection', async () => {
    const t = await loadTemplate(join(FIX, 'parent.yaml'), { schemaCheck: false, stackName: 'app' });
    expect(t.nested.map((n) => n.logicalId)).toEqual(['Network']);
    const net = t.nested[0]?.template;
    if (!net) throw new Error('no nested template');
    expect(net.file).toBe(join(FIX, 'nested/network.yaml'));
    expect(net.parameters.Env).toBe('dev');
    expect(net.parameterDeclarations?.Env?.source).toBe('parent');
    // A GetAtt passed as a parameter stays symbolic in the child.
    const arn = net.parameters.LogBucketArn;
    expect(isUnknown(arn) && arn.ref).toEqual({ logicalId: 'Logs', attribute: 'Arn' });
    expect(net.parameters.CidrBlock).toBe('10.1.0.0/16');
    expect(net.conditions.IsProd).toBe(false);
    const vpc = res(net, 'Vpc');
    expect(vpc.origin).toEqual(['Network']);
    expect(vpc.properties).toEqual({ CidrBlock: '10.1.0.0/16', Tags: [{ Key: 'env', Value: 'dev' }] });
    expect(vpc.location).toMatchObject({ file: join(FIX, 'nested/network.yaml'), line: 12 });
    expect(res(net, 'FlowLog').condition).toEqual({ name: 'IsProd', value: false });

    // network → cycle.yaml → network again: the second visit is refused with a located issue.
    const cyc = net.nested[0]?.template;
    expect(cyc?.file).toBe(join(FIX, 'cycle.yaml'));
    expect(res(cyc as never, 'Again').origin).toEqual(['Network', 'Deeper']);
    expect(cyc?.issues.map((i) => [i.code, i.location.line])).toEqual([['nested-cycle', 5]]);
    expect(cyc?.nested).toEqual([]);

    // Remote URLs are skipped silently; an unreadable local file is a warning at its TemplateURL.
    expect(t.issues.map((i) => [i.code, i.severity, i.location.line])).toEqual([
      ['nested-template-missing', 'warning', 22],
    ]);
  });

  it('Parameters given in the child call override defaults', async () => {
    const t = await loadTemplate(join(FIX, 'cycle.yaml'), { schemaCheck: false });
    const net = t.nested[0]?.template;
    expect(net?.parameters.Env).toBe('prod');
    expect(net?.conditions.IsProd).toBe(true);
    expect(res(net as never, 'FlowLog').properties.LogDestination).toBe('arn:aws:s3:::x');
  });

  it('an unreadable template is an issue, not a rejection', async () => {
    const t = await loadTemplate(join(FIX, 'nope.yaml'), { schemaCheck: false });
    expect(t.issues).toEqual([
      {
        location: { file: join(FIX, 'nope.yaml'), line: 1, column: 1 },
        severity: 'error',
        code: 'unreadable',
        message: 'cannot read template: ENOENT',
      },
    ]);
  });
});
