import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseSeverityLabel } from '../../detect/types.js';
import { DETECT_FORMATS } from '../help-lists.js';
import { lazyAction } from '../lazy.js';
import { addIngestOptions } from '../options.js';

const actions = () => import('./detect-actions.js');

const collect = (v: string, prev: string[] = []) => [...prev, v];

function severityArg(flag: string) {
  return (v: string): string => {
    const s = parseSeverityLabel(v);
    if (!s) throw new UsageError(`${flag} must be low, medium, high or critical, got "${v}"`);
    return s.toLowerCase();
  };
}

export function registerDetect(program: Command): void {
  addIngestOptions(
    program
      .command('detect')
      .description(
        'GuardDuty-style threat detection on AWS logs (CloudTrail, VPC flow, Route 53 Resolver, S3 access, ALB, CloudFront), with Sigma and Suricata rules as extra detectors',
      )
      .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix')
      .addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(DETECT_FORMATS))
      .option(
        '--intel <file>',
        'threat list ([tor:|c2:|mining:|custom:…]path; plain text, OTX or Proofpoint/FireEye CSV); repeatable',
        collect,
      )
      .option('--no-bundled-intel', 'do not load the bundled mining-pool, DoH and dynamic-DNS lists')
      .option(
        '--geoip <file>',
        'MaxMind-format database (GeoLite2-City, ASN …) added to the bundled country data; repeatable',
        collect,
      )
      .option('--aws-ip-ranges <file>', "AWS's ip-ranges.json (enables InstanceCredentialExfiltration.OutsideAWS)")
      .option(
        '--state <file>',
        'SQLite state file: baselines, aggregated findings and open windows persist across runs',
      )
      .option(
        '--suppress <file>',
        'suppression (auto-archive) rules in GuardDuty filter shape, JSON or YAML; repeatable',
        collect,
      )
      .option('--show-archived', 'also show findings archived by suppression rules')
      .addOption(
        new Option('--fail-on <severity>', 'exit 1 when an unarchived finding is at or above this severity').argParser(
          severityArg('--fail-on'),
        ),
      )
      .addOption(
        new Option('--min-severity <severity>', 'only report findings at or above this severity').argParser(
          severityArg('--min-severity'),
        ),
      )
      .option('--param <detector.name=value>', 'override a detector parameter; repeatable', collect)
      .option('--params <file>', 'YAML/JSON map of detector id → parameters')
      .option('--detectors <ids>', 'comma-separated built-in detector ids to run (default: all)')
      .option('--disable <ids>', 'comma-separated built-in detector ids to skip')
      .option('--builtin', 'run the built-in detectors (overrides detect.builtin: false)')
      .option('--no-builtin', 'run no built-in detector (only --sigma / --suricata rules)')
      .option('--local-cidr <cidr>', 'VPC range that is "ours" (default: private ranges); repeatable', collect)
      .option('--account-id <id>', 'account for findings whose records carry none (default: 000000000000)')
      .option('--lateness <duration>', 'how late (event time) a record may arrive and still join its window (1h)')
      .addOption(
        new Option('--max-keys <n>', 'windowed state entries per detector table before LRU eviction').argParser((v) =>
          Number(v),
        ),
      )
      .option('--source <source>', 'EventBridge source for --format eventbridge and --route (aws.guardduty)')
      .option('--explain', 'table: print why each finding fired and its records')
      .option('--sigma <path>', 'Sigma rule file or directory; matches become findings; repeatable', collect)
      .option('--only-sigma', 'with --sigma: run no built-in detector')
      .option('--sigma-placeholders <file>', 'YAML map of placeholder name → values for the Sigma expand modifier')
      .option('--sigma-pipeline <file>', 'extra Sigma processing pipeline (YAML); repeatable', collect)
      .option(
        '--suricata <file>',
        'Suricata rules file or directory of .rules files; alerts on flows/DNS/HTTP/TLS become findings; repeatable',
        collect,
      )
      .option('--nfw-policy <file>', 'Network Firewall policy JSON/YAML to evaluate (with --nfw-rule-group files)')
      .option('--nfw-rule-group <file>', 'Network Firewall rule group JSON/YAML; repeatable', collect)
      .option('--home-net <cidrs>', 'HOME_NET CIDRs for Suricata rules, comma-separated (default: RFC 1918)')
      .option('--classification <file>', 'Suricata classification.config (default: beside the first rules file)')
      .option('--route <file>', 'bus config (YAML bus: section): publish every finding as a GuardDuty Finding event')
      .option('--event-bus-name <name>', 'bus to publish findings on with --route (default: default)')
      .option('--route-timeout <duration>', 'how long --route retries failed deliveries before giving up (10s)'),
  ).action(lazyAction(actions, 'detectAction'));
}
