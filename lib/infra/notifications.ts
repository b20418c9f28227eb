import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface DapNotificationsProps {
  readonly topicName: string;
  readonly encryptionKey: kms.IKey;
  /** Addresses subscribed by e-mail (each confirms its subscription). */
  readonly emails: readonly string[];
}

/** The topic that says when a run is PARTIAL or FAILED, or an alarm fires. */
export class DapNotifications extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: DapNotificationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'dap pipeline alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    // The alarms and rules that publish here are granted the key where they are made (DapMonitoring), each for its
    // own source ARNs.
  }
}
