import type { LogType } from '../../src/ingest/types.js';
import { at, isoSeconds } from './clock.js';
import { ATTACKERS, HOSTS, MINING_POOL_PORT, OFFICE_IPS, PROD, ROOT, SG, TRAILS, USERS } from './world.js';

/**
 * The planted attack scenarios: ground truth for detection tests. The metadata lives here; the generator modules
 * tag every record they plant with the scenario id, the writer turns the tags into file/line evidence and the
 * modules add measured facts (counts, distinct ports …) so nothing in scenarios.json is typed by hand twice.
 */
export interface ScenarioDef {
  id: string;
  /** Number in the project brief (issue 2, section 5). */
  number: number;
  title: string;
  description: string;
  /** MITRE ATT&CK technique IDs. */
  attack: string[];
  logTypes: LogType[];
  /** Principal ARN or instance acting (when there is one). */
  actor?: string;
  accessKeyId?: string;
  sourceIps: string[];
  targets: string[];
  start: string;
  end: string;
  /** Every evidence record contains at least one of these strings (the test checks it). */
  indicators: string[];
  /** Measured while generating (counts, ports …). */
  facts: Record<string, unknown>;
}

function def(d: Omit<ScenarioDef, 'facts' | 'start' | 'end'> & { start: number; end: number }): ScenarioDef {
  return { ...d, start: isoSeconds(d.start), end: isoSeconds(d.end), facts: {} };
}

export const SCENARIO_IDS = {
  stopLogging: 'cloudtrail-stop-logging',
  sshBruteForce: 'ssh-brute-force',
  portScan: 'port-scan',
  mining: 'crypto-mining',
  rootNoMfa: 'root-console-login-without-mfa',
  s3Exfil: 's3-exfiltration',
  iamPersistence: 'iam-admin-user-persistence',
  sgOpen: 'security-group-open-ssh',
  sqli: 'sql-injection',
} as const;

const S = SCENARIO_IDS;

/** Scenario times (offsets from 2026-11-01T00:00:00Z), shared by the modules that plant them. */
export const TIMES = {
  portScan: { start: at(0, 20, 5), end: at(0, 23, 50) },
  rootLogin: { start: at(0, 35, 12), end: at(0, 39, 30) },
  sgOpen: { start: at(0, 42, 31), end: at(0, 42, 31) },
  sqliAlb: { start: at(0, 50, 3), end: at(0, 55, 40) },
  sqliCdn: { start: at(0, 56, 30), end: at(0, 58, 40) },
  sshBrute: { start: at(1, 0, 10), end: at(1, 14, 50) },
  s3Exfil: { start: at(1, 9, 50), end: at(1, 17, 40) },
  mining: { start: at(1, 30, 12), end: at(2, 0, 0) },
  persistence: { start: at(1, 33, 2), end: at(1, 52, 40) },
  stopLogging: { start: at(1, 44, 10), end: at(1, 45, 40) },
} as const;

export function scenarioDefinitions(): ScenarioDef[] {
  return [
    def({
      id: S.stopLogging,
      number: 1,
      title: 'CloudTrail logging stopped and trail deleted with a leaked access key',
      description:
        'The ci-deploy access key (normally used only from GitHub Actions runners with aws-cli v2) is used from ' +
        `${ATTACKERS.ciKeyAbuse} with an old aws-cli v1 user agent: DescribeTrails, GetTrailStatus, then StopLogging ` +
        'and DeleteTrail on account-audit-trail. (The example files come from the separate multi-region trail ' +
        '"management-events", which keeps logging.)',
      attack: ['T1562.008', 'T1078.004'],
      logTypes: ['cloudtrail'],
      actor: USERS.ciDeploy.arn,
      accessKeyId: USERS.ciDeploy.accessKey,
      sourceIps: [ATTACKERS.ciKeyAbuse],
      targets: [TRAILS.audit],
      start: TIMES.stopLogging.start,
      end: TIMES.stopLogging.end,
      indicators: [ATTACKERS.ciKeyAbuse],
    }),
    def({
      id: S.sshBruteForce,
      number: 2,
      title: 'SSH brute force against the bastion host',
      description:
        `${ATTACKERS.sshBruteForce} opens many short TCP connections to port 22 of the bastion ` +
        `(${HOSTS.bastion.eni.ip}, ${HOSTS.bastion.eni.instance}), each a few packets: password guessing. The ` +
        'connections are accepted because the bastion security group was opened to 0.0.0.0/0 (scenario 8); ' +
        "the bastion's reverse-DNS lookups of the attacker appear in the Route 53 Resolver logs.",
      attack: ['T1110.001'],
      logTypes: ['vpcflow', 'route53resolver'],
      sourceIps: [ATTACKERS.sshBruteForce],
      targets: [HOSTS.bastion.eni.ip, HOSTS.bastion.eni.instance!],
      start: TIMES.sshBrute.start,
      end: TIMES.sshBrute.end,
      indicators: [ATTACKERS.sshBruteForce, '45.113.0.203.in-addr.arpa.'],
    }),
    def({
      id: S.portScan,
      number: 3,
      title: 'TCP port scan of the Jenkins host',
      description:
        `${ATTACKERS.portScanner} sends single SYN packets to many distinct ports of the Jenkins instance ` +
        `(${HOSTS.jenkins.eni.ip}); the security group rejects all of them except 443 (the Jenkins web UI), which answers with SYN-ACK.`,
      attack: ['T1046'],
      logTypes: ['vpcflow'],
      sourceIps: [ATTACKERS.portScanner],
      targets: [HOSTS.jenkins.eni.ip, HOSTS.jenkins.eni.instance!],
      start: TIMES.portScan.start,
      end: TIMES.portScan.end,
      indicators: [ATTACKERS.portScanner],
    }),
    def({
      id: S.mining,
      number: 4,
      title: 'Cryptocurrency mining from a batch worker',
      description:
        `batch-worker-3 (${HOSTS.batch3.eni.ip}, ${HOSTS.batch3.eni.instance}) resolves xmr.pool.minergate.com ` +
        `(NXDOMAIN) and pool.supportxmr.com (${ATTACKERS.miningPool}), then keeps a Stratum connection to ` +
        `${ATTACKERS.miningPool}:${MINING_POOL_PORT} open until the end of the data; the Network Firewall alerts on ` +
        'the Stratum login.',
      attack: ['T1496'],
      logTypes: ['route53resolver', 'vpcflow', 'networkfirewall'],
      actor: HOSTS.batch3.eni.instance,
      sourceIps: [HOSTS.batch3.eni.ip],
      targets: ['pool.supportxmr.com.', 'xmr.pool.minergate.com.', ATTACKERS.miningPool],
      start: TIMES.mining.start,
      end: TIMES.mining.end,
      indicators: ['supportxmr', 'minergate', ATTACKERS.miningPool],
    }),
    def({
      id: S.rootNoMfa,
      number: 5,
      title: 'Root console sign-in without MFA',
      description:
        `The root user signs in to the console from ${ATTACKERS.rootLogin} (never seen before) without MFA and ` +
        'looks around: GetAccountSummary, ListUsers, ListAccessKeys, DescribeRegions.',
      attack: ['T1078.004'],
      logTypes: ['cloudtrail'],
      actor: ROOT.arn,
      sourceIps: [ATTACKERS.rootLogin],
      targets: [PROD],
      start: TIMES.rootLogin.start,
      end: TIMES.rootLogin.end,
      indicators: [ATTACKERS.rootLogin],
    }),
    def({
      id: S.s3Exfil,
      number: 6,
      title: 'S3 data exfiltration with a stolen access key through Tor',
      description:
        `The data-analyst access key (used from the office ${OFFICE_IPS[0]} earlier) is used from ${ATTACKERS.exfilTor} ` +
        '(a Tor exit in this story): GetCallerIdentity, ListBuckets, ListObjects and a burst of GetObject on ' +
        'anycompany-customer-exports. The bucket has CloudTrail data events and server access logging, so every ' +
        'GetObject appears in both, with the same request ID.',
      attack: ['T1530', 'T1078.004', 'T1090.003'],
      logTypes: ['cloudtrail', 's3access'],
      actor: USERS.dataAnalyst.arn,
      accessKeyId: USERS.dataAnalyst.accessKey,
      sourceIps: [ATTACKERS.exfilTor],
      targets: ['arn:aws:s3:::anycompany-customer-exports'],
      start: TIMES.s3Exfil.start,
      end: TIMES.s3Exfil.end,
      indicators: [ATTACKERS.exfilTor],
    }),
    def({
      id: S.iamPersistence,
      number: 7,
      title: 'Backdoor IAM user with AdministratorAccess',
      description:
        `With the leaked ci-deploy key, ${ATTACKERS.ciKeyAbuse} creates the user svc-backup-sync, attaches ` +
        'arn:aws:iam::aws:policy/AdministratorAccess, creates an access key for it and, minutes later, uses that new ' +
        'key from the same address.',
      attack: ['T1136.003', 'T1098.001', 'T1098.003'],
      logTypes: ['cloudtrail'],
      actor: USERS.ciDeploy.arn,
      accessKeyId: USERS.ciDeploy.accessKey,
      sourceIps: [ATTACKERS.ciKeyAbuse],
      targets: [USERS.backdoor.arn],
      start: TIMES.persistence.start,
      end: TIMES.persistence.end,
      indicators: [ATTACKERS.ciKeyAbuse],
    }),
    def({
      id: S.sgOpen,
      number: 8,
      title: 'Security group opened to the internet on port 22',
      description:
        `bob.martinez (console, from the office ${OFFICE_IPS[1]}) adds an ingress rule tcp/22 from 0.0.0.0/0 to ` +
        `${SG.bastion.id} (${SG.bastion.name}) "temporary debug". A misconfiguration rather than an attack — and the ` +
        'reason the SSH brute force of scenario 2 reaches sshd.',
      attack: ['T1562.007'],
      logTypes: ['cloudtrail'],
      actor: USERS.bob.arn,
      sourceIps: [OFFICE_IPS[1]],
      targets: [SG.bastion.id],
      start: TIMES.sgOpen.start,
      end: TIMES.sgOpen.end,
      indicators: [SG.bastion.id],
    }),
    def({
      id: S.sqli,
      number: 9,
      title: 'SQL injection scan against the shop and the website',
      description:
        `${ATTACKERS.sqlInjection} runs sqlmap against https://shop.example.com/api/products?id= (ALB with the ` +
        'regional web ACL shop-prod-acl) and then against https://www.example.com/ (CloudFront with www-edge-acl). ' +
        'AWS WAF blocks most payloads with AWSManagedRulesSQLiRuleSet (ALB 403 with actions_executed "waf", ' +
        'CloudFront 403 Error); a few probes are allowed and reach the application.',
      attack: ['T1190'],
      logTypes: ['alb', 'albconnection', 'waf', 'cloudfront', 'vpcflow'],
      sourceIps: [ATTACKERS.sqlInjection],
      targets: ['shop.example.com', 'www.example.com'],
      start: TIMES.sqliAlb.start,
      end: TIMES.sqliCdn.end,
      indicators: [ATTACKERS.sqlInjection],
    }),
  ];
}

/** Scenario registry handed to the modules: tag lists and measured facts. */
export class Scenarios {
  readonly defs: ScenarioDef[] = scenarioDefinitions();

  get(id: string): ScenarioDef {
    const d = this.defs.find((x) => x.id === id);
    if (!d) throw new Error(`unknown scenario ${id}`);
    return d;
  }

  fact(id: string, key: string, value: unknown): void {
    this.get(id).facts[key] = value;
  }
}

/**
 * Benign records that resemble attacks, listed so detection tests can tell intended findings from false positives.
 */
export interface Lookalike {
  logType: LogType;
  what: string;
  why: string;
}

export const BENIGN_LOOKALIKES: readonly Lookalike[] = [
  {
    logType: 'cloudtrail',
    what: `bob.martinez: ConsoleLogin failure ("Failed authentication") from ${OFFICE_IPS[1]} at 00:30:41, success with MFA 17 s later`,
    why: 'a typo; same office address, MFA used on the successful sign-in',
  },
  {
    logType: 'cloudtrail',
    what: 'dev account 444455556666 (exports/dev-account-eventbridge-events.jsonl): federated ConsoleLogin with MFAUsed "No"',
    why: 'an assumed-role (SSO) sign-in: MFA is enforced by the identity provider, not visible to CloudTrail',
  },
  {
    logType: 'cloudtrail',
    what: 'dev account: AuthorizeSecurityGroupEgress tcp/443 to 10.20.0.0/16, CreateRole/PutRolePolicy for a Lambda worker',
    why: 'routine infrastructure work on a private range',
  },
  {
    logType: 'cloudtrail',
    what: 'shop-web instance roles: ec2:DescribeTags denied (Client.UnauthorizedOperation) once per instance at start-up',
    why: 'an application probing for optional permissions',
  },
  {
    logType: 'vpcflow',
    what: 'internet background noise: ~40 sources each touching one or two ports (23, 445, 3389 …) of the bastion or Jenkins, rejected',
    why: 'ordinary internet scanning; far below port-scan volume',
  },
  {
    logType: 'route53resolver',
    what: 'jenkins resolving pastebin.com (DNS Firewall ALERT)',
    why: 'a build script posting logs; alert-only rule',
  },
  {
    logType: 'networkfirewall',
    what: 'batch workers 1/2: TLS to telemetry.example-analytics.io blocked by the SNI allow-list (8 alerts)',
    why: 'a library phoning home; blocked by policy, not malicious',
  },
];
