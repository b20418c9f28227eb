import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ControlStore, Lease, LeaseAttempt, VersionedValue } from '../../core/ports.ts';
import {
  expiryEpochSeconds,
  LeaseLostError,
  leaseAt,
  nowEpochSeconds,
  VersionConflictError,
} from '../../core/run-guard.ts';

export interface DynamoDbControlStoreProps {
  /** Table with partition key `pk` (S) and sort key `sk` (S); TTL on `expires_at_epoch` clears old leases. */
  readonly tableName: string;
  /** @default a document client over `new DynamoDBClient({})` (region and credentials from the Lambda). */
  readonly client?: DynamoDBDocumentClient;
}

/** The item layout, shared with the tests that assert what reaches DynamoDB. */
export function leaseKey(name: string): { pk: string; sk: string } {
  return { pk: `lease#${name}`, sk: 'lease' };
}

export function valueKey(key: string): { pk: string; sk: string } {
  return { pk: `value#${key}`, sk: 'value' };
}

/** Free (no item) or lapsed: the only states in which a new tenure may start. */
export const LEASE_FREE_CONDITION = 'attribute_not_exists(pk) OR expires_at_epoch < :now';
/** A missing item fails this too, so a renew never resurrects a released lease. */
export const LEASE_HELD_CONDITION = 'holder = :holder';

/** A re-acquire by the holder can meet a lease that changes between our two writes; a few tries settle it. */
const ACQUIRE_ATTEMPTS = 3;

/**
 * `ControlStore` on DynamoDB. Every write is one conditional request, so two runs deciding at the same instant
 * cannot both win: DynamoDB evaluates the condition and the write atomically per item.
 */
export class DynamoDbControlStore implements ControlStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(props: DynamoDbControlStoreProps) {
    this.tableName = props.tableName;
    this.client = props.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
  }

  async acquireLease(name: string, holder: string, now: Date, ttlSeconds: number): Promise<LeaseAttempt> {
    let current: Lease | undefined;
    for (let attempt = 1; attempt <= ACQUIRE_ATTEMPTS; attempt++) {
      // A PutItem replaces the whole item, so it starts a new tenure only when the lease is free or lapsed; a live
      // lease of ours goes through the holder-conditioned update instead, which keeps the original acquired_at.
      const outcome = await this.putLeaseIfFree(name, holder, now, ttlSeconds);
      if (outcome.acquired) return outcome;
      current = outcome.current;
      if (current.holder !== holder) return { acquired: false, current };
      const extended = await this.extendLease(name, holder, now, ttlSeconds);
      if ('lease' in extended) return { acquired: true, lease: extended.lease };
      if (extended.current !== undefined) return { acquired: false, current: extended.current };
      // Our lease vanished between the two requests (released or removed by TTL): it is free, so try again.
    }
    throw new Error(`lease "${name}" kept changing while ${holder} tried to acquire it`, {
      cause: { lease: name, holder, attempts: ACQUIRE_ATTEMPTS, lastSeen: current },
    });
  }

  async renewLease(name: string, holder: string, now: Date, ttlSeconds: number): Promise<Lease> {
    const extended = await this.extendLease(name, holder, now, ttlSeconds);
    if ('lease' in extended) return extended.lease;
    throw new LeaseLostError(name, holder, extended.current?.holder, { cause: extended.cause });
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: leaseKey(name),
          ConditionExpression: LEASE_HELD_CONDITION,
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      // Not ours (taken over after lapsing, or already gone): releasing must never free another run's lease.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  async getLease(name: string): Promise<Lease | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: leaseKey(name), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : leaseFromItem(name, Item);
  }

  async get<T>(key: string): Promise<VersionedValue<T> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: valueKey(key), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const version = Item.version;
    if (typeof version !== 'number') {
      throw new TypeError(`control value "${key}" has no numeric version (got ${JSON.stringify(version)})`);
    }
    return { value: Item.value as T, version };
  }

  async put<T>(key: string, value: T, expectedVersion: number): Promise<number> {
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expected version of "${key}" must be a whole number >= 0, got ${expectedVersion}`);
    }
    const version = expectedVersion + 1;
    const mustBeNew = expectedVersion === 0;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...valueKey(key), value: asStoredJson(key, value), version },
          ConditionExpression: mustBeNew ? 'attribute_not_exists(pk)' : 'version = :expected',
          ...(mustBeNew ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return version;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const actual = error.Item?.version?.N;
      throw new VersionConflictError(key, expectedVersion, actual === undefined ? 0 : Number(actual), { cause: error });
    }
  }

  private async putLeaseIfFree(name: string, holder: string, now: Date, ttlSeconds: number): Promise<LeaseAttempt> {
    const lease = leaseAt(name, holder, now, ttlSeconds);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: leaseItem(lease),
          ConditionExpression: LEASE_FREE_CONDITION,
          ExpressionAttributeValues: { ':now': nowEpochSeconds(now) },
          // The refusal needs the current holder; having it on the failure saves a second read (and its race).
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true, lease };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = error.Item === undefined ? undefined : leaseFromAttributes(name, error.Item);
      if (current === undefined) {
        throw new Error(`lease "${name}" refused without a current holder; is TTL or a stray writer involved?`, {
          cause: error,
        });
      }
      // Live, and perhaps ours: the caller decides between refusing and extending our own tenure.
      return { acquired: false, current };
    }
  }

  /** Extends a lease only while `holder` has it; reports who has it otherwise. */
  private async extendLease(
    name: string,
    holder: string,
    now: Date,
    ttlSeconds: number,
  ): Promise<{ lease: Lease } | { current: Lease | undefined; cause: ConditionalCheckFailedException }> {
    const renewed = leaseAt(name, holder, now, ttlSeconds);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leaseKey(name),
          UpdateExpression:
            'SET renewed_at = :renewed_at, expires_at = :expires_at, expires_at_epoch = :expires_at_epoch',
          ConditionExpression: LEASE_HELD_CONDITION,
          ExpressionAttributeValues: {
            ':holder': holder,
            ':renewed_at': renewed.renewedAt,
            ':expires_at': renewed.expiresAt,
            ':expires_at_epoch': expiryEpochSeconds(renewed.expiresAt),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (Attributes === undefined) throw new Error(`renewing lease "${name}" returned no attributes`);
      return { lease: leaseFromItem(name, Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { current: error.Item === undefined ? undefined : leaseFromAttributes(name, error.Item), cause: error };
    }
  }
}

function leaseItem(lease: Lease): Record<string, string | number> {
  return {
    ...leaseKey(lease.name),
    holder: lease.holder,
    acquired_at: lease.acquiredAt,
    renewed_at: lease.renewedAt,
    expires_at: lease.expiresAt,
    expires_at_epoch: expiryEpochSeconds(lease.expiresAt),
  };
}

function leaseFromItem(name: string, item: Record<string, unknown>): Lease {
  const text = (attribute: string): string => {
    const value = item[attribute];
    if (typeof value !== 'string') {
      throw new TypeError(`lease "${name}" item has no text ${attribute} (got ${JSON.stringify(value)})`);
    }
    return value;
  };
  return {
    name,
    holder: text('holder'),
    acquiredAt: text('acquired_at'),
    renewedAt: text('renewed_at'),
    expiresAt: text('expires_at'),
  };
}

/** The old item on a conditional failure arrives in wire format: the document client does not unmarshall errors. */
function leaseFromAttributes(name: string, item: Record<string, AttributeValue>): Lease {
  const plain: Record<string, unknown> = {};
  for (const [attribute, value] of Object.entries(item)) plain[attribute] = value.S ?? value.N;
  return leaseFromItem(name, plain);
}

/**
 * Values are stored as their JSON form (a map, list, string, number, boolean or null), so DynamoDB and the local
 * JSON files hand back the same thing: dates become ISO strings, undefined members disappear.
 */
function asStoredJson(key: string, value: unknown): unknown {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`control value "${key}" has no JSON form (got ${typeof value})`);
  return JSON.parse(json);
}
