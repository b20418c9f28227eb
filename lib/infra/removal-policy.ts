import { RemovalPolicy } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../core/model/schemas.ts';

/** RETAIN unless the environment file explicitly allows DESTROY (`"removal_policy": "destroy"`). */
export function removalPolicyOf(env: Pick<EnvironmentConfig, 'removal_policy'>): RemovalPolicy {
  return env.removal_policy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
