import type { Resources } from './load.js';

/**
 * Vigil's emulations of AWS managed rule groups (waf.md §11): AWS's group names, rule names, capacities and label
 * namespaces, with Vigil's own detectors and patterns (AWS does not publish its patterns). Written as ordinary
 * rule-group JSON so they go through the same loader and evaluator. Label names are the rule names with the field
 * suffix in AWS's label casing (`NoUserAgent_HEADER` → `…:core-rule-set:NoUserAgent_Header`).
 */

type J = Record<string, unknown>;

const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'vigil-managed' };
const tx = (...types: string[]) => types.map((Type, Priority) => ({ Priority, Type }));
const DECODE = tx('URL_DECODE_UNI', 'HTML_ENTITY_DECODE');

const FIELDS: Record<string, J> = {
  QUERYARGUMENTS: { AllQueryArguments: {} },
  QUERYSTRING: { QueryString: {} },
  BODY: { Body: { OversizeHandling: 'CONTINUE' } },
  URIPATH: { UriPath: {} },
  HEADER_ALL: { Headers: { MatchPattern: { All: {} }, MatchScope: 'ALL', OversizeHandling: 'CONTINUE' } },
  COOKIE: { Cookies: { MatchPattern: { All: {} }, MatchScope: 'VALUE', OversizeHandling: 'CONTINUE' } },
  HEADER: { Headers: { MatchPattern: { All: {} }, MatchScope: 'VALUE', OversizeHandling: 'CONTINUE' } },
};
const LABEL_SUFFIX: Record<string, string> = {
  QUERYARGUMENTS: 'QueryArguments',
  QUERYSTRING: 'QueryString',
  BODY: 'Body',
  URIPATH: 'URIPath',
  COOKIE: 'Cookie',
  HEADER: 'Header',
  METHOD: 'Method',
};

function labelOf(rule: string): string {
  const i = rule.lastIndexOf('_');
  const suffix = LABEL_SUFFIX[rule.slice(i + 1)];
  return suffix ? `${rule.slice(0, i)}_${suffix}` : rule;
}

let prio = 0;
function rule(name: string, statement: J, action = 'Block'): J {
  return {
    Name: name,
    Priority: prio++,
    Action: { [action]: {} },
    RuleLabels: [{ Name: labelOf(name) }],
    VisibilityConfig: vis,
    Statement: statement,
  };
}
const regex = (RegexString: string, field: J, t = DECODE): J => ({
  RegexMatchStatement: { RegexString, FieldToMatch: field, TextTransformations: t },
});
/** Several patterns as one statement (AWS caps one regex at 200 characters). */
const anyRegex = (patterns: string[], field: J, t = DECODE): J =>
  patterns.length === 1
    ? regex(patterns[0]!, field, t)
    : { OrStatement: { Statements: patterns.map((p) => regex(p, field, t)) } };
const perField = (base: string, fields: string[], mk: (f: J) => J): J[] =>
  fields.map((f) => rule(`${base}_${f}`, mk(FIELDS[f]!)));

function group(name: string, capacity: number, namespace: string, rules: J[]): [string, J] {
  return [name, { Name: name, Capacity: capacity, LabelNamespace: `awswaf:managed:aws:${namespace}:`, Rules: rules }];
}

function build(): [string, J][] {
  prio = 0;
  const common = group('AWSManagedRulesCommonRuleSet', 700, 'core-rule-set', [
    rule('NoUserAgent_HEADER', {
      NotStatement: {
        Statement: {
          SizeConstraintStatement: {
            FieldToMatch: { SingleHeader: { Name: 'user-agent' } },
            ComparisonOperator: 'GT',
            Size: 0,
            TextTransformations: tx('NONE'),
          },
        },
      },
    }),
    rule(
      'UserAgent_BadBots_HEADER',
      regex(
        '(?i)(?:nessus|nikto|nmap|sqlmap|masscan|zgrab|dirbuster|gobuster|wpscan|acunetix|havij|w3af|netsparker|fimap|openvas|whatweb|nuclei)',
        { SingleHeader: { Name: 'user-agent' } },
        tx('NONE'),
      ),
    ),
    rule('SizeRestrictions_QUERYSTRING', {
      SizeConstraintStatement: {
        FieldToMatch: FIELDS.QUERYSTRING,
        ComparisonOperator: 'GT',
        Size: 2048,
        TextTransformations: tx('NONE'),
      },
    }),
    rule('SizeRestrictions_Cookie_HEADER', {
      SizeConstraintStatement: {
        FieldToMatch: { SingleHeader: { Name: 'cookie' } },
        ComparisonOperator: 'GT',
        Size: 10240,
        TextTransformations: tx('NONE'),
      },
    }),
    rule('SizeRestrictions_BODY', {
      SizeConstraintStatement: {
        FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
        ComparisonOperator: 'GT',
        Size: 8192,
        TextTransformations: tx('NONE'),
      },
    }),
    rule('SizeRestrictions_URIPATH', {
      SizeConstraintStatement: {
        FieldToMatch: FIELDS.URIPATH,
        ComparisonOperator: 'GT',
        Size: 1024,
        TextTransformations: tx('NONE'),
      },
    }),
    ...perField('EC2MetaDataSSRF', ['BODY', 'COOKIE', 'URIPATH', 'QUERYARGUMENTS'], (f) =>
      regex('(?i)(?:169\\.254\\.169\\.254|fd00:ec2::254|169\\.254\\.170\\.2|metadata\\.google\\.internal)', f),
    ),
    ...perField('GenericLFI', ['QUERYARGUMENTS', 'URIPATH', 'BODY'], (f) =>
      regex('(?:^|[\\\\/])\\.\\.(?:[\\\\/]|$)', f, tx('URL_DECODE_UNI', 'URL_DECODE_UNI')),
    ),
    ...perField('RestrictedExtensions', ['URIPATH', 'QUERYARGUMENTS'], (f) =>
      regex(
        '(?i)\\.(?:log|ini|conf|cfg|bak|backup|sql|env|git|svn|htaccess|htpasswd|old|swp|db|sqlite|cnf|pem|key)$',
        f,
      ),
    ),
    ...perField('GenericRFI', ['QUERYARGUMENTS', 'BODY', 'URIPATH'], (f) =>
      regex('(?i)(?:https?|ftps?|php|data|file):/+(?:\\d{1,3}\\.){3}\\d{1,3}', f),
    ),
    ...perField('CrossSiteScripting', ['COOKIE', 'QUERYARGUMENTS', 'BODY', 'URIPATH'], (f) => ({
      XssMatchStatement: { FieldToMatch: f, TextTransformations: DECODE },
    })),
  ]);
  prio = 0;
  const bad = group('AWSManagedRulesKnownBadInputsRuleSet', 200, 'known-bad-inputs', [
    ...perField('JavaDeserializationRCE', ['HEADER', 'BODY', 'URIPATH', 'QUERYSTRING'], (f) =>
      anyRegex(
        [
          '(?i)(?:rO0AB|aced0005|java\\.lang\\.(?:Runtime|ProcessBuilder)|javax\\.script|ysoserial)',
          // fully qualified JDK / gadget-library class names: deserialization and expression-injection payloads
          '\\b(?:java|javax|jdk|sun)\\.(?:[a-z]\\w*\\.)*[A-Z]\\w+',
          '\\b(?:com\\.sun|org\\.apache\\.(?:commons|xalan|bcel|naming)|org\\.springframework|bsh)\\.(?:[a-z]\\w*\\.)*[A-Z]\\w+',
        ],
        f,
      ),
    ),
    rule(
      'Host_localhost_HEADER',
      regex(
        '(?i)^(?:localhost|127\\.0\\.0\\.1|\\[?::1\\]?)(?::\\d+)?$',
        { SingleHeader: { Name: 'host' } },
        tx('NONE'),
      ),
    ),
    rule('PROPFIND_METHOD', {
      ByteMatchStatement: {
        SearchString: 'PROPFIND',
        FieldToMatch: { Method: {} },
        TextTransformations: tx('NONE'),
        PositionalConstraint: 'EXACTLY',
      },
    }),
    rule(
      'ExploitablePaths_URIPATH',
      regex(
        '(?i)/(?:web-inf|meta-inf|\\.git/|actuator|jmx-console|admin-console|phpmyadmin|invoker/|manager/html)',
        FIELDS.URIPATH!,
      ),
    ),
    ...perField('Log4JRCE', ['HEADER', 'QUERYSTRING', 'BODY', 'URIPATH'], (f) =>
      regex(
        '(?i)\\$\\{\\s*(?:jndi|\\$\\{|lower:|upper:|env:|sys:|::-|date:)',
        f,
        tx('URL_DECODE_UNI', 'URL_DECODE_UNI'),
      ),
    ),
  ]);
  prio = 0;
  const sqli = group('AWSManagedRulesSQLiRuleSet', 200, 'sql-database', [
    ...perField('SQLi', ['QUERYARGUMENTS', 'BODY', 'COOKIE', 'URIPATH'], (f) => ({
      SqliMatchStatement: { FieldToMatch: f, TextTransformations: DECODE, SensitivityLevel: 'LOW' },
    })),
    ...perField('SQLiExtendedPatterns', ['QUERYARGUMENTS', 'BODY'], (f) => ({
      SqliMatchStatement: {
        FieldToMatch: f,
        TextTransformations: tx('URL_DECODE_UNI', 'HTML_ENTITY_DECODE', 'REPLACE_COMMENTS'),
        SensitivityLevel: 'HIGH',
      },
    })),
  ]);
  prio = 0;
  const linux = group('AWSManagedRulesLinuxRuleSet', 200, 'linux-os', [
    ...perField('LFI', ['URIPATH', 'QUERYSTRING', 'HEADER'], (f) =>
      regex(
        '(?i)(?:/etc/(?:passwd|shadow|group|hosts|issue)|/proc/(?:self|\\d+)/|/\\.ssh/|/var/log/|/root/)',
        f,
        tx('URL_DECODE_UNI', 'NORMALIZE_PATH'),
      ),
    ),
  ]);
  prio = 0;
  const unix = group('AWSManagedRulesUnixRuleSet', 100, 'posix-os', [
    ...perField('UNIXShellCommandsVariables', ['QUERYARGUMENTS', 'BODY', 'HEADER'], (f) =>
      anyRegex(
        [
          '(?:[;|&`]|\\$\\()\\s*(?:cat|ls|id|uname|wget|curl|nc|ncat|bash|sh|chmod|rm|whoami|ping|echo|python|perl)\\b|\\$\\{?ifs|/bin/(?:ba)?sh',
          // more commands after a separator or newline, and the command-substitution forms
          '(?:[;|&`\\n]|\\$\\()\\s*(?:env|sudo|su|nslookup|telnet|socat|base64|xargs|find|awk|sed|grep|head|tail|tar|nohup|kill|chown|touch|mkdir|visudo|php|ruby|node|lua)\\b',
          // glob- and quote-obfuscated paths and commands: /???/??t, /e[t]c/, c'a't, w"h"oami, {cat,/etc/passwd}
          '/[?*]{1,4}/[?*a-z]{0,4}[?*]|/e\\[?t\\]?c/|\\b\\w+(?:\'\'|"")?\\w*(?:\'\\w\'|"\\w")\\w*\\s|\\{\\s*(?:cat|ls|id|whoami|wget|curl)\\s*,',
        ],
        f,
        tx('URL_DECODE_UNI', 'COMPRESS_WHITE_SPACE', 'LOWERCASE'),
      ),
    ),
  ]);
  prio = 0;
  const php = group('AWSManagedRulesPHPRuleSet', 100, 'php-app', [
    ...perField('PHPHighRiskMethodsVariables', ['HEADER', 'QUERYSTRING', 'BODY'], (f) =>
      anyRegex(
        [
          '(?i)(?:\\b(?:eval|assert|system|passthru|shell_exec|popen|proc_open|phpinfo|base64_decode|create_function)\\s*\\(|\\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES|ENV)\\b|php://(?:input|filter)|<\\?php)',
          '(?i)\\b(?:exec|pcntl_exec|p?fsockopen|proc_nice|posix_\\w+|call_user_func(?:_array)?|str_rot13|gz(?:inflate|uncompress)|unserialize|preg_replace)\\s*\\(',
          '(?i)\\b(?:file_(?:get|put)_contents|fopen|readfile|show_source|highlight_file|ini_set|putenv|include|require(?:_once)?)\\s*\\(',
          // short open tags, stream wrappers, serialized objects, variable functions and `'sys'.'tem'` splicing
          '(?i)<\\?(?:=|\\s)|\\b(?:phar|zip|expect|glob|compress\\.zlib)://|\\b[OC]:\\d+:"[\\w\\\\]+":\\d+:\\{',
          '\\(\\s*[\'"]\\w+[\'"]\\s*\\)\\s*\\(|[\'"]\\w+[\'"]\\s*\\.\\s*[\'"]\\w+[\'"]|\\$\\s*\\{\\s*[\'"]',
          '(?i)filename\\s*=\\s*"?[^"\\r\\n;]*\\.(?:php\\d?|phtml|phar|pht)\\b',
        ],
        f,
      ),
    ),
  ]);
  prio = 0;
  // Source IP only (AWS: "the source IP address from the web request origin"), against lists the operator supplies.
  const ipRule = (name: string, action: string) =>
    rule(name, { IPSetReferenceStatement: { ARN: ipListArn(name) } }, action);
  const iprep = group('AWSManagedRulesAmazonIpReputationList', 25, 'amazon-ip-list', [
    ipRule('AWSManagedIPReputationList', 'Block'),
    ipRule('AWSManagedReconnaissanceList', 'Block'),
    ipRule('AWSManagedIPDDoSList', 'Count'),
  ]);
  return [common, bad, sqli, linux, unix, php, iprep];
}

/** The IP lists behind AWSManagedRulesAmazonIpReputationList (AWS's threat intelligence is not public). */
export const IP_REPUTATION_LISTS = [
  'AWSManagedIPReputationList',
  'AWSManagedReconnaissanceList',
  'AWSManagedIPDDoSList',
] as const;
export type IpReputationLists = Partial<Record<(typeof IP_REPUTATION_LISTS)[number], string[]>>;

const ipListArn = (name: string) => `arn:aws:wafv2:us-east-1:aws:regional/ipset/${name}/vigil-managed`;

/**
 * Add the emulated AWS managed groups (key `AWS:<Name>`) unless the caller supplied its own under that key. The IP
 * reputation lists come from IP sets the caller loaded under the rule's name (e.g. a `get-ip-set` file named
 * `AWSManagedIPReputationList`), else from `ipLists`, else are empty (the rule never matches).
 */
export function addManagedEmulations(res: Resources, ipLists: IpReputationLists = {}): void {
  for (const name of IP_REPUTATION_LISTS) {
    const arn = ipListArn(name);
    if (res.ipSets.has(arn)) continue;
    const supplied = res.ipSets.get(name);
    const addresses = supplied?.addresses ?? ipLists[name] ?? [];
    // Matching does not depend on IPAddressVersion, so one list may mix IPv4 and IPv6 CIDRs.
    res.ipSets.set(arn, {
      name,
      addresses,
      version: 'IPV4',
      path: supplied?.path ?? `vigil-managed:${name}`,
    });
  }
  for (const [name, json] of build()) {
    const key = `AWS:${name}`;
    if (!res.ruleGroups.has(key))
      res.ruleGroups.set(key, { name, json, path: `vigil-managed:${name}`, account: 'aws' });
  }
}

/** Names of the emulated groups (documentation, validation messages). */
export const MANAGED_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
  'AWSManagedRulesLinuxRuleSet',
  'AWSManagedRulesUnixRuleSet',
  'AWSManagedRulesPHPRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
];

/**
 * A Web ACL document (for `loadWebAcl`) that runs every emulated managed group but the IP reputation list, in
 * MANAGED_GROUPS order, without overriding their actions: what the CRS corpus scores, the benchmarks and the
 * ModSecurity peer comparison evaluate (the corpora have no client addresses for the reputation list).
 */
export function managedGroupsWebAcl(name = 'managed'): Record<string, unknown> {
  const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: name };
  return {
    Name: name,
    DefaultAction: { Allow: {} },
    VisibilityConfig: vis,
    Rules: MANAGED_GROUPS.filter((g) => g !== 'AWSManagedRulesAmazonIpReputationList').map((Name, Priority) => ({
      Name,
      Priority,
      OverrideAction: { None: {} },
      VisibilityConfig: vis,
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name } },
    })),
  };
}
