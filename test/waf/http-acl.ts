/** The web ACL the HTTP middleware, proxy and framework tests share: SQLi in the body (custom 406), XSS in the query, a challenge on /login. */
const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' };
export const doc = {
  WebACL: {
    Name: 'http-acl',
    ARN: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/http-acl/1',
    DefaultAction: { Allow: { CustomRequestHandling: { InsertHeaders: [{ Name: 'checked', Value: 'yes' }] } } },
    VisibilityConfig: vis,
    CustomResponseBodies: { denied: { ContentType: 'TEXT_PLAIN', Content: 'denied by vigil' } },
    Rules: [
      {
        Name: 'sqli-body',
        Priority: 0,
        Action: { Block: { CustomResponse: { ResponseCode: 406, CustomResponseBodyKey: 'denied' } } },
        VisibilityConfig: vis,
        Statement: {
          SqliMatchStatement: {
            FieldToMatch: { Body: { OversizeHandling: 'CONTINUE' } },
            TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
          },
        },
      },
      {
        Name: 'xss-args',
        Priority: 1,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          XssMatchStatement: {
            FieldToMatch: { AllQueryArguments: {} },
            TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
          },
        },
      },
      {
        Name: 'challenge-login',
        Priority: 2,
        Action: { Challenge: {} },
        VisibilityConfig: vis,
        Statement: {
          ByteMatchStatement: {
            SearchString: '/login',
            FieldToMatch: { UriPath: {} },
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
            PositionalConstraint: 'EXACTLY',
          },
        },
      },
    ],
  },
};
