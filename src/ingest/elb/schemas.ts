/**
 * Field lists of the four Elastic Load Balancing log kinds (logs.md §3), with AWS's own field names, which columns
 * are numbers, how many leading fields the oldest generation has, and where the time and client address sit.
 */

export type ElbKind = 'alb' | 'albconnection' | 'nlb' | 'elb';

export interface ElbSchema {
  readonly kind: ElbKind;
  /** Used in error messages. */
  readonly label: string;
  readonly names: readonly string[];
  /** 1 where the column is a number (`-` still means absent). */
  readonly numeric: Uint8Array;
  /** Fewer fields than this is an error; between this and `names.length` is an older generation. */
  readonly min: number;
  readonly timeIndex: number;
  /** Column holding `ip:port` (split on the last colon, for IPv6) or the bare client IP. */
  readonly clientIndex: number;
  readonly clientHasPort: boolean;
}

function schema(
  kind: ElbKind,
  label: string,
  names: string[],
  numericNames: string[],
  min: number,
  time: string,
  client: string,
): ElbSchema {
  const numeric = new Uint8Array(names.length);
  for (const n of numericNames) {
    const i = names.indexOf(n);
    if (i < 0) throw new Error(`schema ${kind}: unknown numeric field ${n}`);
    numeric[i] = 1;
  }
  return {
    kind,
    label,
    names,
    numeric,
    min,
    timeIndex: names.indexOf(time),
    clientIndex: names.indexOf(client),
    clientHasPort: client.endsWith(':port'),
  };
}

/** Application Load Balancer access log, 30 fields (2024 generation, ending with conn_trace_id). */
export const ALB = schema(
  'alb',
  'an ALB access log line',
  [
    'type',
    'time',
    'elb',
    'client:port',
    'target:port',
    'request_processing_time',
    'target_processing_time',
    'response_processing_time',
    'elb_status_code',
    'target_status_code',
    'received_bytes',
    'sent_bytes',
    'request',
    'user_agent',
    'ssl_cipher',
    'ssl_protocol',
    'target_group_arn',
    'trace_id',
    'domain_name',
    'chosen_cert_arn',
    'matched_rule_priority',
    'request_creation_time',
    'actions_executed',
    'redirect_url',
    'error_reason',
    'target:port_list',
    'target_status_code_list',
    'classification',
    'classification_reason',
    'conn_trace_id',
  ],
  [
    'request_processing_time',
    'target_processing_time',
    'response_processing_time',
    'elb_status_code',
    'target_status_code',
    'received_bytes',
    'sent_bytes',
    'matched_rule_priority',
  ],
  // The 2016 launch format ended with trace_id; every later generation only appended.
  18,
  'time',
  'client:port',
);

/** Application Load Balancer connection log (mTLS / TLS listeners), 12 fields. */
export const ALB_CONNECTION = schema(
  'albconnection',
  'an ALB connection log line',
  [
    'time',
    'client_ip',
    'client_port',
    'listener_port',
    'tls_protocol',
    'tls_cipher',
    'tls_handshake_latency',
    'leaf_client_cert_subject',
    'leaf_client_cert_validity',
    'leaf_client_cert_serial_number',
    'tls_verify_status',
    'conn_trace_id',
  ],
  ['client_port', 'listener_port', 'tls_handshake_latency'],
  // conn_trace_id was appended later.
  11,
  'time',
  'client_ip',
);

/** Network Load Balancer TLS access log, version 2.0, 22 fields. */
export const NLB = schema(
  'nlb',
  'an NLB TLS log line',
  [
    'type',
    'version',
    'time',
    'elb',
    'listener',
    'client:port',
    'destination:port',
    'connection_time',
    'tls_handshake_time',
    'received_bytes',
    'sent_bytes',
    'incoming_tls_alert',
    'chosen_cert_arn',
    'chosen_cert_serial',
    'tls_cipher',
    'tls_protocol_version',
    'tls_named_group',
    'domain_name',
    'alpn_fe_protocol',
    'alpn_be_protocol',
    'alpn_client_preference_list',
    'tls_connection_creation_time',
  ],
  ['connection_time', 'tls_handshake_time', 'received_bytes', 'sent_bytes'],
  // Only version 2.0 is documented, with all 22 fields.
  22,
  'time',
  'client:port',
);

/** Classic Load Balancer access log, 15 fields. */
export const CLASSIC = schema(
  'elb',
  'a Classic Load Balancer log line',
  [
    'timestamp',
    'elb',
    'client:port',
    'backend:port',
    'request_processing_time',
    'backend_processing_time',
    'response_processing_time',
    'elb_status_code',
    'backend_status_code',
    'received_bytes',
    'sent_bytes',
    'request',
    'user_agent',
    'ssl_cipher',
    'ssl_protocol',
  ],
  [
    'request_processing_time',
    'backend_processing_time',
    'response_processing_time',
    'elb_status_code',
    'backend_status_code',
    'received_bytes',
    'sent_bytes',
  ],
  // user_agent, ssl_cipher and ssl_protocol were appended to the original 12 fields.
  12,
  'timestamp',
  'client:port',
);
