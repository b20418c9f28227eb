import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/** EventBridge's longest rule name. */
export const RULE_NAME_MAX_LENGTH = 64;

/**
 * The ARN of the rule with this name in the scope's stack, spelled out: a key policy naming a rule by its token
 * would make the key depend on the rule, which depends on its target or dead-letter queue, which depend on the key.
 */
export function ruleArn(scope: IConstruct, ruleName: string): string {
  return Stack.of(scope).formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
}

/**
 * Lets EventBridge write the undeliverable events of these rules of this account, and of no other rule, to a
 * dead-letter queue encrypted with `key`.
 */
export function allowRuleDeadLetters(key: kms.IKey, scope: IConstruct, ruleNames: readonly string[]): void {
  if (ruleNames.length === 0) return;
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
        ArnEquals: { 'aws:SourceArn': ruleNames.map((name) => ruleArn(scope, name)) },
      },
    }),
  );
}
