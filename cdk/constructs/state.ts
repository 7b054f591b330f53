import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE } from '../../gateway/adapters/aws/dynamodb-delivery-log.ts';

/**
 * Portico's one DynamoDB table (single-table design: the DynamoDB store picks the items
 * behind the string keys `PK` and `SK`). Retained on stack deletion: it is the only state.
 */
export class State extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Webhook delivery claims expire (gateway/adapters/aws/dynamodb-delivery-log.ts).
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The item operations the DynamoDB adapters send (dynamodb-store.ts, -activity-log.ts,
   * -delivery-log.ts), and nothing else: no streams, no table management
   * (test/cdk/permissions.test.ts checks this against the bundled code).
   */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(
      grantee,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
    );
  }
}
