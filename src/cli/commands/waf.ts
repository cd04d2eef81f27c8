import { type Command, Option } from 'commander';
import { IP_REPUTATION_LISTS } from '../../waf/managed.js';
import { lazyAction } from '../lazy.js';
import { intArg } from '../options.js';

const actions = () => import('./waf-actions.js');

const collect = (v: string, prev: string[]) => [...prev, v];

/** `vigil waf …`: validate a WebACL and test it offline against HTTP logs or JSONL requests. */
export function registerWaf(program: Command): void {
  const waf = program.command('waf').description('WAFv2-compatible web ACL evaluation (validate, offline test)');

  waf
    .command('validate')
    .description('load a web ACL with its IP sets, regex pattern sets and rule groups; print WCU and rules')
    .option(
      '--web-acl <file>',
      'ACL JSON (get-web-acl output, WebACL or CloudFormation); repeat for referenced sets',
      collect,
      [],
    )
    .option('--acl <file>', 'alias of --web-acl', collect, [])
    .option('--name <name>', 'choose the web ACL by name when the inputs hold several')
    .option(
      '--ip-reputation <name=file>',
      `addresses of an AmazonIpReputationList list (${IP_REPUTATION_LISTS.join(', ')}), one IP/CIDR per line`,
      collect,
      [],
    )
    .action(lazyAction(actions, 'validateAction'));

  registerProxy(waf);

  waf
    .command('test')
    .description('replay WAF / ALB / CloudFront logs (or JSONL requests) against a web ACL and report what it would do')
    .argument('<inputs...>', 'log files, directories, .gz, - for stdin, s3://…; JSONL requests with --requests')
    .option(
      '--web-acl <file>',
      'ACL JSON; repeat for referenced IP sets, regex pattern sets and rule groups',
      collect,
      [],
    )
    .option('--acl <file>', 'alias of --web-acl', collect, [])
    .option('--name <name>', 'choose the web ACL by name when the inputs hold several')
    .option(
      '--ip-reputation <name=file>',
      `addresses of an AmazonIpReputationList list (${IP_REPUTATION_LISTS.join(', ')}), one IP/CIDR per line`,
      collect,
      [],
    )
    .option('--requests', 'inputs are JSONL requests {method,url,headers,body,clientIp,country,time}')
    .option('--all', 'print every request, not only those not allowed or changed versus the logged decision')
    .addOption(
      new Option('-f, --format <format>', 'text or json (JSON lines + a summary object)')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--log-out <file>', 'write an AWS WAF log record (waf.md §9) per evaluated request to this file')
    .action(lazyAction(actions, 'testAction'));
}

function registerProxy(waf: Command): void {
  waf
    .command('proxy')
    .description('reverse proxy that evaluates every request with the web ACL before forwarding it')
    .option('--web-acl <file>', 'ACL JSON; repeat for referenced sets and rule groups', collect, [])
    .option('--acl <file>', 'alias of --web-acl', collect, [])
    .option('--name <name>', 'choose the web ACL by name when the inputs hold several')
    .option(
      '--ip-reputation <name=file>',
      `addresses of an AmazonIpReputationList list (${IP_REPUTATION_LISTS.join(', ')}), one IP/CIDR per line`,
      collect,
      [],
    )
    .requiredOption('--upstream <url>', 'where allowed requests go, e.g. http://127.0.0.1:3000')
    .addOption(
      new Option('--listen <port>', 'TCP port to listen on (0 = any free port)').default(8080).argParser(intArg),
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--fail-open', 'let requests through when evaluation fails internally (default: 503)')
    .option('--client-ip-header <name>', 'take the client IP from this header (first address), e.g. x-forwarded-for')
    .option('--ja3-header <name>', 'header carrying the JA3 fingerprint (default cloudfront-viewer-ja3-fingerprint)')
    .option('--ja4-header <name>', 'header carrying the JA4 fingerprint (default cloudfront-viewer-ja4-fingerprint)')
    .option('--log-out <file>', 'append an AWS WAF log record per request to this file')
    .action(lazyAction(actions, 'proxyAction'));
}
