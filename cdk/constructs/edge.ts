import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge, managedServiceRolePolicy, wildcardResource } from '../nag.ts';

export interface EdgeProps {
  /** The gateway's streaming Function URL (InvokeMode RESPONSE_STREAM). */
  readonly functionUrl: lambda.IFunctionUrl;
  readonly zone: route53.IHostedZone;
  /** `*.endpoint.<domain>`. */
  readonly wildcard: string;
}

/** How long CloudFront waits for the first byte, and between bytes, from the Function URL: its maximum without a quota increase. */
export const ORIGIN_READ_TIMEOUT_SECONDS = 60;

/**
 * Viewer-request function: a Function URL answers only on its own Host, so CloudFront must send
 * that one; the demo's host travels in X-Forwarded-Host, which the gateway reads for requests
 * that came through CloudFront (functions/gateway.ts).
 */
export const FORWARD_HOST_FUNCTION = `function handler(event) {
  var request = event.request;
  request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  return request;
}`;

/**
 * The `lambda` data plane on a custom domain: `*.endpoint.<domain>` on CloudFront, in front of
 * the gateway's streaming Function URL. Nothing is cached (every request reaches the gateway)
 * and responses stream, so API Gateway's 30-second buffered limit is gone; CloudFront's own
 * limits apply (README, "How demos are reached"). CloudFront only takes certificates from
 * us-east-1, so the certificate is requested there whatever region the stack is in.
 */
export class Edge extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const certificate = new acm.DnsValidatedCertificate(this, 'Certificate', {
      domainName: props.wildcard,
      hostedZone: props.zone,
      region: 'us-east-1',
    });
    acknowledge(
      certificate,
      'CDK\'s certificate requestor (a custom resource that runs during deploys only): ACM requests and deletes a certificate that has no ARN before it exists, and it logs with Lambda\'s basic role.',
      managedServiceRolePolicy('AWSLambdaBasicExecutionRole'),
      wildcardResource('*'),
    );
    const forwardHost = new cloudfront.Function(this, 'ForwardHost', {
      code: cloudfront.FunctionCode.fromInline(FORWARD_HOST_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Portico: the demo host to X-Forwarded-Host (the Function URL needs its own Host)',
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Portico: *.endpoint domain in front of the gateway Function URL',
      domainNames: [props.wildcard],
      certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: new origins.FunctionUrlOrigin(props.functionUrl, {
          readTimeout: Duration.seconds(ORIGIN_READ_TIMEOUT_SECONDS),
          keepaliveTimeout: Duration.seconds(60),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
        functionAssociations: [{ function: forwardHost, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
    new route53.ARecord(this, 'WildcardAlias', { zone: props.zone, recordName: props.wildcard, target });
    new route53.AaaaRecord(this, 'WildcardAliasV6', { zone: props.zone, recordName: props.wildcard, target });

    acknowledge(this.distribution, 'Demo endpoints are public by design and served worldwide; the gateway enforces per-project access itself.', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2');
    acknowledge(this.distribution, 'Every request reaches the gateway Lambda, whose log has each one; CloudFront standard logs would need an S3 bucket with ACLs.', 'AwsSolutions-CFR3');
  }
}
