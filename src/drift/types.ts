/**
 * Drift records in CloudFormation's own shape (DescribeStackResourceDrifts, specs/cloudformation.md §10.3), plus
 * Vigil's additions: notes (why a value was skipped), attribution (the CloudTrail events behind a change) and
 * unmanaged resources (driftctl-like).
 */
export type ResourceDriftStatus = 'IN_SYNC' | 'MODIFIED' | 'DELETED' | 'NOT_CHECKED';
export type DifferenceType = 'ADD' | 'REMOVE' | 'NOT_EQUAL';

export interface PropertyDifference {
  /** JSON pointer below Properties, e.g. `/SecurityGroupIngress/1`. */
  PropertyPath: string;
  /** JSON text, as CloudFormation writes it (`null` when the value is absent). */
  ExpectedValue: string;
  ActualValue: string;
  DifferenceType: DifferenceType;
}

/** One CloudTrail event linked to a drift, with why it was linked. */
export interface Attribution {
  eventName: string;
  eventTime: string;
  eventSource?: string;
  principalArn?: string;
  accessKeyId?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  eventID?: string;
  /** The property paths (or `resource`) this event explains. */
  paths: string[];
  /** Why the event was linked: the request parameter that names the resource and the property it touches. */
  reason: string;
  /** Where the record was read (file:line). */
  origin?: string;
}

export interface StackResourceDrift {
  StackId: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: string;
  StackResourceDriftStatus: ResourceDriftStatus;
  /** Newer API field; Vigil fills it for NOT_CHECKED and DELETED. */
  DriftStatusReason?: string;
  ExpectedProperties?: string;
  ActualProperties?: string;
  PropertyDifferences?: PropertyDifference[];
  /** Vigil: values skipped (write-only, deploy-time unknown) and why. */
  notes?: string[];
  /** Vigil: the CloudTrail events that caused the drift (with `--cloudtrail`). */
  attribution?: Attribution[];
  /** Vigil: where the resource is declared in the template. */
  location?: string;
}

export interface UnmanagedResource {
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  region: string;
  tags: Record<string, string>;
  attribution?: Attribution[];
}

export interface DriftReport {
  StackId: string;
  StackName: string;
  StackDriftStatus: 'DRIFTED' | 'IN_SYNC';
  DriftedStackResourceCount: number;
  Timestamp: string;
  StackResourceDrifts: StackResourceDrift[];
  unmanaged: UnmanagedResource[];
  /** driftctl-like summary: managed / unmanaged / missing and IaC coverage (managed ÷ total × 100, integer). */
  summary: {
    total_resources: number;
    total_managed: number;
    total_unmanaged: number;
    total_missing: number;
    total_ignored: number;
    coverage: number;
  };
  /** Input problems (file:line and reason) that did not stop the run. */
  issues: string[];
}
