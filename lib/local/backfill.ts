import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ResourceNames } from '../core/model/names.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import type { RunInput } from '../core/run-plan.ts';
import { replayWindow } from '../core/window.ts';

export interface BackfillRequest {
  readonly family: string;
  readonly events?: readonly string[];
  readonly from: string;
  readonly to: string;
}

/** The state machine input of a backfill: a replay of the days, for one family (and some of its events). */
export function backfillInput(request: BackfillRequest): RunInput {
  replayWindow(request);
  return {
    trigger: 'backfill',
    families: [request.family],
    events: request.events && request.events.length > 0 ? [...request.events] : null,
    replay: { from: request.from, to: request.to },
  };
}

export function stateMachineArn(environment: EnvironmentConfig, names: ResourceNames): string {
  return `arn:aws:states:${environment.region}:${environment.account}:stateMachine:${names.stateMachine}`;
}

/** Starts the deployed state machine with the backfill's replay input; returns the execution ARN. */
export async function startBackfillInAws(
  client: SFNClient,
  environment: EnvironmentConfig,
  names: ResourceNames,
  request: BackfillRequest,
): Promise<string> {
  const input = backfillInput(request);
  const name = `backfill-${request.family}-${request.from}-${request.to}-${Date.now()}`.slice(0, 80);
  const response = await client.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn(environment, names),
      name,
      input: JSON.stringify(input),
    }),
  );
  return response.executionArn ?? name;
}
