/**
 * The fictional company whose logs the examples are: AnyCompany runs a web shop in account 111122223333
 * (us-east-1, a little eu-west-1) and has a development account 444455556666. Every log module draws its
 * identities, addresses and resources from here so the log types agree with each other (the instance in a flow
 * record is the one whose role calls the API in CloudTrail and whose queries appear in the DNS logs).
 *
 * Addresses: attackers use only the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24);
 * benign internet clients use the ranges of MaxMind's GeoIP2 test databases (81.2.69.x, 89.160.20.x,
 * 216.160.83.x, 175.16.199.x, 67.43.156.x, 2.125.160.x) so GeoIP lookups in tests resolve, plus a few
 * residential-looking addresses; IPv6 clients use the documentation prefix 2001:db8::/32.
 */

export const PROD = '111122223333';
export const DEV = '444455556666';
export const REGION = 'us-east-1';
export const REGION2 = 'eu-west-1';
/** Canonical user ID of the prod account (S3 bucket owner in server access logs). */
export const PROD_CANONICAL_ID = '7a4c3f1e9b2d8e6a0c5f4b3a2d1e9f8c7b6a5d4e3f2c1b0a9e8d7c6b5a4f3e2d';

// ── IAM identities ────────────────────────────────────────────────────────────────────────────────────────────

export interface IamUser {
  name: string;
  /** `AIDA…` unique ID (CloudTrail principalId). */
  id: string;
  arn: string;
  /** Long-term access key (`AKIA…`) when the user has one. */
  accessKey?: string;
}

function user(name: string, id: string, accessKey?: string): IamUser {
  return { name, id, arn: `arn:aws:iam::${PROD}:user/${name}`, accessKey };
}

export const USERS = {
  alice: user('alice.nguyen', 'AIDAR4NKQ3LXW6JVHDZ2E'),
  bob: user('bob.martinez', 'AIDAR4NKQ3LXTPCF7M5YB', 'AKIAR4NKQ3LXSKB5YW2T'),
  ciDeploy: user('ci-deploy', 'AIDAR4NKQ3LXQ7VDEJ3GM', 'AKIAR4NKQ3LXV2MZHT6P'),
  dataAnalyst: user('data-analyst', 'AIDAR4NKQ3LXZH2WUN4KC', 'AKIAR4NKQ3LXP6DQFJ7E'),
  /** Created by the attacker in scenario 7 (persistence). */
  backdoor: user('svc-backup-sync', 'AIDAR4NKQ3LXNYF4B6RSA', 'AKIAR4NKQ3LXTGW5QK3Z'),
} as const;

export const ROOT = { arn: `arn:aws:iam::${PROD}:root`, principalId: PROD } as const;

export interface Role {
  name: string;
  /** `AROA…` role ID. */
  id: string;
  arn: string;
}

function role(name: string, id: string, account = PROD, path = ''): Role {
  return { name, id, arn: `arn:aws:iam::${account}:role/${path}${name}` };
}

export const ROLES = {
  terraform: role('terraform-deployer', 'AROAR4NKQ3LXJ5TEWB2QD'),
  shopWeb: role('shop-web-instance-role', 'AROAR4NKQ3LXMK7CVZ3HS'),
  jenkins: role('jenkins-build-role', 'AROAR4NKQ3LXD3QW6FN4U'),
  batch: role('batch-worker-role', 'AROAR4NKQ3LXH6YPR2GTB'),
  legacy: role('legacy-api-instance-role', 'AROAR4NKQ3LXC2FZ7KM5W'),
  mqtt: role('mqtt-broker-role', 'AROAR4NKQ3LXW3HB4TQ6N'),
  orderLambda: role('order-processor-lambda-role', 'AROAR4NKQ3LXK4RM5VY7P'),
  config: role('AWSServiceRoleForConfig', 'AROAR4NKQ3LXF5GJ6WC2D', PROD, 'aws-service-role/config.amazonaws.com/'),
  devDeveloper: role('developer', 'AROAZ7QKW3MBN2XHJ4RTC', DEV),
  devLambdaDeploy: role('lambda-deployer', 'AROAZ7QKW3MBP5VGT6YLE', DEV),
} as const;

// ── Network ───────────────────────────────────────────────────────────────────────────────────────────────────

export interface Subnet {
  id: string;
  cidr: string;
  az: string;
  azId: string;
}

export interface Vpc {
  id: string;
  cidr: string;
  subnets: Record<string, Subnet>;
}

export const VPC_APP: Vpc = {
  id: 'vpc-0a5c3e8f1b2d4c6e7',
  cidr: '10.0.0.0/16',
  subnets: {
    publicA: { id: 'subnet-0e14a7c2d9b3f5a61', cidr: '10.0.0.0/24', az: 'us-east-1a', azId: 'use1-az1' },
    publicB: { id: 'subnet-0b62e9f4c1a7d3e58', cidr: '10.0.1.0/24', az: 'us-east-1b', azId: 'use1-az2' },
    appA: { id: 'subnet-07c3d8e1f6a2b9c40', cidr: '10.0.10.0/24', az: 'us-east-1a', azId: 'use1-az1' },
    appB: { id: 'subnet-0f9a2b5c8d1e4f736', cidr: '10.0.11.0/24', az: 'us-east-1b', azId: 'use1-az2' },
    dbA: { id: 'subnet-0d5e8f1a4b7c2d953', cidr: '10.0.20.0/24', az: 'us-east-1a', azId: 'use1-az1' },
  },
};

export const VPC_BATCH: Vpc = {
  id: 'vpc-0e7d9c1b3a5f2e4d6',
  cidr: '10.1.0.0/16',
  subnets: {
    publicA: { id: 'subnet-0a3c5e7b9d1f2a4c6', cidr: '10.1.0.0/24', az: 'us-east-1d', azId: 'use1-az4' },
    workersA: { id: 'subnet-0c8e1a3f5b7d9e2a4', cidr: '10.1.2.0/24', az: 'us-east-1d', azId: 'use1-az4' },
  },
};

/** A network interface as flow logs see it. `instance` is absent for requester-managed ENIs (ALB, NAT, RDS). */
export interface Eni {
  id: string;
  ip: string;
  vpc: Vpc;
  subnet: Subnet;
  instance?: string;
  /** Public IPv4 (EIP or auto-assigned) — what CloudTrail shows as the caller address for this host. */
  publicIp?: string;
  /** Dual-stack hosts. */
  ipv6?: string;
}

export interface Host {
  name: string;
  eni: Eni;
  /** The instance profile role (CloudTrail `assumed-role/<role>/<instance-id>`). */
  role?: Role;
  /** Address CloudTrail sees for its API calls (public IP, or the NAT gateway EIP for private hosts). */
  egressIp: string;
  platform: string;
}

function eni(id: string, ip: string, vpc: Vpc, subnet: Subnet, extra: Partial<Eni> = {}): Eni {
  return { id, ip, vpc, subnet, ...extra };
}

const A = VPC_APP.subnets;
const B = VPC_BATCH.subnets;

export const NAT_APP = eni('eni-0f3a5c7e9b1d3f5a8', '10.0.0.10', VPC_APP, A.publicA, { publicIp: '3.215.77.120' });
export const NAT_BATCH = eni('eni-0d4f6b8d0f2b4d6f8', '10.1.0.10', VPC_BATCH, B.publicA, { publicIp: '44.206.18.33' });
export const ALB_NODES = [
  eni('eni-0a7b9c1d3e5f7a9b1', '10.0.0.45', VPC_APP, A.publicA, { ipv6: '2600:1f18:4a2c:7e00:9b3a:1c4d:e5f6:a701' }),
  eni('eni-0c9d1e3f5a7b9c1d3', '10.0.1.87', VPC_APP, A.publicB, { ipv6: '2600:1f18:4a2c:7e01:2d8e:7f0a:b1c2:d302' }),
] as const;
/** An ENI with no traffic (a detached spare interface): flow logs write NODATA records for it. */
export const IDLE_ENI = eni('eni-0f0e1d2c3b4a59687', '10.0.11.200', VPC_APP, A.appB);
/** An idle ENI in the batch VPC (NODATA records in the custom-format log). */
export const IDLE_BATCH_ENI = eni('eni-0e1f2a3b4c5d6e7f8', '10.1.2.200', VPC_BATCH, B.workersA);
export const NLB_NODE = eni('eni-06b8d0f2a4c6e8a0b', '10.0.1.99', VPC_APP, A.publicB);
export const CLB_NODE = eni('eni-02a4c6e8f0b2d4f6a', '10.0.0.61', VPC_APP, A.publicA);
export const RDS_ENI = eni('eni-05e7f9a1b3c5d7e9f', '10.0.20.50', VPC_APP, A.dbA);

function host(name: string, e: Eni, role: Role | undefined, egressIp: string, platform = 'Amazon Linux'): Host {
  return { name, eni: e, role, egressIp, platform };
}

export const HOSTS = {
  web1: host(
    'shop-web-1',
    eni('eni-0b7e2d4c6a8f1e3d5', '10.0.10.21', VPC_APP, A.appA, { instance: 'i-0c3f9a2b7d1e4a5f6' }),
    ROLES.shopWeb,
    NAT_APP.publicIp!,
  ),
  web2: host(
    'shop-web-2',
    eni('eni-03a9c1e7f5b2d8a46', '10.0.11.34', VPC_APP, A.appB, { instance: 'i-07d2e8b1c4a9f3e60' }),
    ROLES.shopWeb,
    NAT_APP.publicIp!,
  ),
  bastion: host(
    'bastion',
    eni('eni-0d4c8b2a6e1f3c5a7', '10.0.0.20', VPC_APP, A.publicA, {
      instance: 'i-0f1e2d3c4b5a69788',
      publicIp: '54.173.22.90',
    }),
    undefined,
    '54.173.22.90',
  ),
  jenkins: host(
    'jenkins',
    eni('eni-0e2f4a6c8b1d3e5f7', '10.0.0.30', VPC_APP, A.publicA, {
      instance: 'i-0b8a7c6d5e4f3a2b1',
      publicIp: '34.204.113.57',
    }),
    ROLES.jenkins,
    '34.204.113.57',
    'Ubuntu',
  ),
  legacy: host(
    'legacy-api-1',
    eni('eni-09c1e3a5c7e9b1d3f', '10.0.10.40', VPC_APP, A.appA, { instance: 'i-05a7c9e1b3d5f7a9c' }),
    ROLES.legacy,
    NAT_APP.publicIp!,
  ),
  mqtt: host(
    'mqtt-broker-1',
    eni('eni-0ab2c4e6a8c0e2a4c', '10.0.11.50', VPC_APP, A.appB, { instance: 'i-0e9c7a5b3d1f9e7c5' }),
    ROLES.mqtt,
    NAT_APP.publicIp!,
  ),
  batch1: host(
    'batch-worker-1',
    eni('eni-0a1c3e5a7c9e1a3c5', '10.1.2.11', VPC_BATCH, B.workersA, {
      instance: 'i-0a9b8c7d6e5f4a3b2',
      ipv6: '2600:1f18:4a2c:7e02:5d1b:9f0e:3c7a:21b4',
    }),
    ROLES.batch,
    NAT_BATCH.publicIp!,
  ),
  batch2: host(
    'batch-worker-2',
    eni('eni-0b2d4f6b8d0f2b4d6', '10.1.2.12', VPC_BATCH, B.workersA, { instance: 'i-0d7e6f5a4b3c2d1e0' }),
    ROLES.batch,
    NAT_BATCH.publicIp!,
  ),
  /** The instance that starts mining in scenario 4. */
  batch3: host(
    'batch-worker-3',
    eni('eni-0c3e5a7c9e1a3c5e7', '10.1.2.40', VPC_BATCH, B.workersA, { instance: 'i-09f8e7d6c5b4a3928' }),
    ROLES.batch,
    NAT_BATCH.publicIp!,
  ),
} as const;

export const ALL_HOSTS: readonly Host[] = Object.values(HOSTS);

export const SG = {
  bastion: { id: 'sg-0b3d5f7a9c1e3b5d7', name: 'bastion-ssh' },
  web: { id: 'sg-04c6e8a0c2e4a6c8e', name: 'shop-web' },
} as const;

// ── Load balancers, distributions, buckets, trails ────────────────────────────────────────────────────────────

export const ALB = {
  name: 'shop-prod',
  id: '4f9a3c2e1b0d8a76',
  elb: 'app/shop-prod/4f9a3c2e1b0d8a76',
  arn: `arn:aws:elasticloadbalancing:${REGION}:${PROD}:loadbalancer/app/shop-prod/4f9a3c2e1b0d8a76`,
  targetGroup: `arn:aws:elasticloadbalancing:${REGION}:${PROD}:targetgroup/shop-web/6d0ecf831eec9f09`,
  partnerTargetGroup: `arn:aws:elasticloadbalancing:${REGION}:${PROD}:targetgroup/partner-api/1b7e5c3a9d2f4e60`,
  cert: `arn:aws:acm:${REGION}:${PROD}:certificate/3f2c9a1e-7b4d-4c8e-9a6f-1d2e3c4b5a69`,
  partnerCert: `arn:aws:acm:${REGION}:${PROD}:certificate/8c1d4e7a-2f5b-4a9c-8e3d-6b7a9c0d1e2f`,
  host: 'shop.example.com',
  partnerHost: 'partner-api.example.com',
  targets: [HOSTS.web1, HOSTS.web2],
  targetPort: 8080,
} as const;

export const NLB = {
  name: 'mqtt-ingest',
  id: '7c2f9a1b3e4d5f60',
  elb: 'net/mqtt-ingest/7c2f9a1b3e4d5f60',
  listener: '9e1b7d3f5a2c4e68',
  cert: `arn:aws:acm:${REGION}:${PROD}:certificate/5e9a2c7d-1b3f-4d8e-a6c2-9f0e1d2c3b4a`,
  host: 'mqtt.example.com',
  port: 8883,
} as const;

export const CLB = { name: 'legacy-api', dns: 'legacy-api-1183529771.us-east-1.elb.amazonaws.com' } as const;

export const DISTRIBUTION = {
  id: 'E3KXV7W9R2TB5N',
  domain: 'd2m3x8k1qz9yvb.cloudfront.net',
  host: 'www.example.com',
} as const;

export const WEB_ACLS = {
  shop: {
    name: 'shop-prod-acl',
    arn: `arn:aws:wafv2:${REGION}:${PROD}:regional/webacl/shop-prod-acl/2c7e9b4a-5d1f-4e8a-b3c6-7f0a1d2e3b4c`,
  },
  www: {
    name: 'www-edge-acl',
    arn: `arn:aws:wafv2:us-east-1:${PROD}:global/webacl/www-edge-acl/9a4d6e1b-3c7f-4b2a-8d5e-0f1a2b3c4d5e`,
  },
} as const;

export const BUCKETS = {
  exports: 'anycompany-customer-exports',
  assets: 'anycompany-app-assets',
  athena: 'anycompany-athena-results',
  trail: 'aws-cloudtrail-logs-111122223333-7f3e1a9c',
  batchInput: 'anycompany-batch-input',
} as const;

export const TRAILS = {
  /** The multi-region trail that delivers the example CloudTrail files. */
  main: `arn:aws:cloudtrail:${REGION}:${PROD}:trail/management-events`,
  /** The account's second trail, stopped and deleted in scenario 1. */
  audit: `arn:aws:cloudtrail:${REGION}:${PROD}:trail/account-audit-trail`,
} as const;

export const KMS_KEYS = {
  secrets: `arn:aws:kms:${REGION}:${PROD}:key/0f6b2d8e-4a1c-4e7b-9d3f-5c8a1b2e7d40`,
  trail: `arn:aws:kms:${REGION}:${PROD}:key/6d1a9e3c-2b7f-4c5d-8e0a-3f9b1c7d2e58`,
} as const;

export const NETWORK_FIREWALL = { name: 'egress-inspection', az: 'us-east-1d' } as const;

// ── Internet addresses ────────────────────────────────────────────────────────────────────────────────────────

export const OFFICE_IPS = ['81.2.69.142', '81.2.69.160'] as const;
/** GitHub-hosted Actions runners (Azure addresses) that run ci-deploy's pipeline. */
export const CI_RUNNER_IPS = ['20.42.11.61', '52.238.20.112', '40.84.171.5'] as const;
/** External uptime monitor probing the shop. */
export const MONITOR_IPS = ['216.160.83.61', '216.160.83.62'] as const;
/** The logistics partner calling the mTLS partner API. */
export const PARTNER_IPS = ['89.160.20.133', '89.160.20.134'] as const;

export interface Client {
  ip: string;
  country: string;
  asn: number;
}

/** Benign web clients, with the country and ASN WAF would log for them. */
export const CLIENT_RANGES: readonly { prefix: string; from: number; to: number; country: string; asn: number }[] = [
  { prefix: '81.2.69.', from: 2, to: 250, country: 'GB', asn: 20712 },
  { prefix: '89.160.20.', from: 112, to: 143, country: 'SE', asn: 29518 },
  { prefix: '216.160.83.', from: 56, to: 60, country: 'US', asn: 209 },
  { prefix: '175.16.199.', from: 1, to: 250, country: 'CN', asn: 4837 },
  { prefix: '67.43.156.', from: 1, to: 250, country: 'BT', asn: 35908 },
  { prefix: '2.125.160.', from: 216, to: 223, country: 'GB', asn: 5089 },
  { prefix: '73.162.41.', from: 1, to: 254, country: 'US', asn: 7922 },
  { prefix: '98.207.112.', from: 1, to: 254, country: 'US', asn: 7922 },
  { prefix: '86.12.77.', from: 1, to: 254, country: 'GB', asn: 5089 },
  { prefix: '92.184.105.', from: 1, to: 254, country: 'FR', asn: 3215 },
];

export const IPV6_CLIENTS: readonly Client[] = [
  { ip: '2001:db8:4f1e:a100:8d6e:3477:df66:f105', country: 'DE', asn: 3320 },
  { ip: '2001:db8:85a3:1200:4c2b:91ff:fe2e:7a11', country: 'US', asn: 7922 },
];

/** Attacker addresses (documentation ranges only). */
export const ATTACKERS = {
  portScanner: '198.51.100.77',
  sshBruteForce: '203.0.113.45',
  rootLogin: '198.51.100.23',
  exfilTor: '192.0.2.66',
  ciKeyAbuse: '203.0.113.66',
  sqlInjection: '198.51.100.99',
  /** What `pool.supportxmr.com` resolves to in the examples. */
  miningPool: '192.0.2.150',
} as const;

export const MINING_POOL_PORT = 3333;

// ── User agents ───────────────────────────────────────────────────────────────────────────────────────────────

export const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36',
] as const;

export const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
] as const;

export const MONITOR_UA = 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)';
export const SQLMAP_UA = 'sqlmap/1.8.11#stable (https://sqlmap.org)';

export const UA = {
  console: 'AWS Internal',
  ec2Console: 'console.ec2.amazonaws.com',
  cliOffice:
    'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off',
  boto3:
    'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  githubCli:
    'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1014-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off',
  terraform:
    'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.0',
  ssmAgent: 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0',
  javaSdk:
    'aws-sdk-java/2.28.29 Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/legacy',
  jenkinsCli:
    'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1016-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off',
  batchBoto:
    'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  /** The attacker behind the leaked ci-deploy key: an old CLI on a Kali box. */
  attackerCli: 'aws-cli/1.33.1 Python/3.11.9 Linux/6.8.11-amd64 botocore/1.34.131',
  /** The exfiltration tool: `aws s3 cp --recursive` through Tor. */
  exfilCli:
    'aws-cli/2.17.9 md/awscrt#0.20.11 ua/2.0 os/linux#6.6.15-amd64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#s3.cp',
  rootBrowser: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  officeBrowser:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
} as const;
