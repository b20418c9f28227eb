import type { ObjectStore } from '../ports.ts';
import { TXMA_SAMPLE_EMAILS } from './people.ts';
import { SeededRandom } from './random.ts';

/**
 * Made-up TxMA audit events (GOV.UK One Login), as Firehose would deliver them to the raw bucket: one folder per
 * event, `year=/month=/day=` of the delivery time, newline-delimited JSON. Users go through whole journeys
 * (register, set up MFA, prove their identity on the web or in the app, get a core identity from SPOT), so the
 * events of one person share ids the way real ones do. The awkward parts of real feeds are there on purpose:
 * re-delivered records, producer retries with the same event_id and a later timestamp, records delivered a day
 * late, optional fields that are absent, and one file written without a field the other files carry. A few users
 * are people the other shipped samples know (lib/core/samples/people.ts), so the single customer view links them.
 */

export interface TxmaSampleOptions {
  /** The same seed (with the same other options) always gives the same files. */
  readonly seed: number;
  /** First day of events, `YYYY-MM-DD`, UTC. */
  readonly startDate: string;
  readonly days: number;
  /** Distinct events per day, before re-deliveries and retries are added. */
  readonly eventsPerDay: number;
  /** Share of records Firehose delivers a second time, byte for byte, a few hours later. */
  readonly redeliveryRate: number;
  /** Share of records the producer sends again with the same event_id and a timestamp a few seconds later. */
  readonly retryRate: number;
  /** Share of records delivered a day or more after they happened. */
  readonly lateRate: number;
  /** Hours of deliveries that go into one file of an event (the Firehose buffer, made coarse). */
  readonly bufferHours: number;
  /** Start of every file name, as Firehose names files after its delivery stream. */
  readonly deliveryStream: string;
  /**
   * E-mail addresses given, in order, to the first journeys that create an account (people other sources know too);
   * every other journey makes one up. Only the addresses change: the events and their number are the same.
   */
  readonly people: readonly string[];
}

export const DEFAULT_SAMPLE_OPTIONS: TxmaSampleOptions = {
  seed: 20240115,
  startDate: '2024-01-15',
  days: 3,
  eventsPerDay: 1000,
  redeliveryRate: 0.02,
  retryRate: 0.01,
  lateRate: 0.005,
  bufferHours: 6,
  deliveryStream: 'txma-audit-delivery',
  people: TXMA_SAMPLE_EMAILS,
};

export interface SampleFile {
  /** Key in the raw bucket: `txma/<event>/year=YYYY/month=MM/day=DD/<delivery stream>-<date>-<hour>-<n>.json`. */
  readonly key: string;
  /** Newline-delimited JSON, one audit event a line. */
  readonly body: string;
}

/** The event whose files include one written without a field, and that field. */
export const FILE_WITHOUT_FIELD = { event: 'ipv_passport_cri_vc_issued', field: 'evidence' } as const;

export interface TxmaUser {
  readonly user_id?: string;
  readonly email?: string;
  readonly govuk_signin_journey_id: string;
  readonly ip_address: string;
  readonly session_id: string;
}

/** One audit event as the producer sends it. */
export interface TxmaRecord {
  readonly event_id: string;
  readonly event_name: string;
  readonly timestamp: number;
  readonly timestamp_formatted: string;
  readonly client_id: string;
  readonly component_id: string;
  readonly user: TxmaUser;
  readonly extensions: Readonly<Record<string, unknown>>;
}

export function generateTxmaSamples(overrides: Partial<TxmaSampleOptions> = {}): SampleFile[] {
  const options = { ...DEFAULT_SAMPLE_OPTIONS, ...overrides };
  checkOptions(options);
  const random = new SeededRandom(options.seed);
  const firstDaySeconds = Date.parse(`${options.startDate}T00:00:00Z`) / 1000;

  const deliveries: Delivery[] = [];
  const people = [...options.people];
  for (let day = 0; day < options.days; day++) {
    const dayRecords: TxmaRecord[] = [];
    while (dayRecords.length < options.eventsPerDay) {
      const journey = userJourney(random, firstDaySeconds + day * SECONDS_PER_DAY);
      const whole = dayRecords.length + journey.length <= options.eventsPerDay;
      const email = whole && createsAccount(journey) ? people.shift() : undefined;
      dayRecords.push(...(email === undefined ? journey : withEmail(journey, email)));
    }
    for (const record of dayRecords.slice(0, options.eventsPerDay)) {
      const deliveredAt = record.timestamp + deliveryLagSeconds(random, options.lateRate);
      deliveries.push({ record, deliveredAt });
      if (random.chance(options.redeliveryRate)) {
        deliveries.push({ record, deliveredAt: deliveredAt + random.int(3600, 8 * 3600) });
      } else if (random.chance(options.retryRate)) {
        const retried = { ...record, ...happenedAt(record.timestamp + random.int(1, 30)) };
        deliveries.push({ record: retried, deliveredAt: retried.timestamp + deliveryLagSeconds(random, 0) });
      }
    }
  }
  return toFiles(deliveries, options);
}

/** Puts the sample files into the raw bucket; returns what it wrote. */
export async function writeTxmaSamples(
  store: ObjectStore,
  bucket: string,
  options: Partial<TxmaSampleOptions> = {},
): Promise<SampleFile[]> {
  const files = generateTxmaSamples(options);
  for (const file of files) await store.put(bucket, file.key, file.body);
  return files;
}

// ---------------------------------------------------------------- journeys

const SECONDS_PER_DAY = 86_400;

const COMPONENTS = {
  auth: 'https://signin.account.gov.uk',
  ipv: 'https://identity.account.gov.uk',
  passport: 'https://review-p.account.gov.uk',
  address: 'https://review-a.account.gov.uk',
  app: 'https://review-b.account.gov.uk',
  orchestration: 'https://oidc.account.gov.uk',
} as const;

/** Services users come from, with the vectors of trust they ask for (those with P2 need a proven identity). */
const RELYING_PARTIES: readonly (readonly [{ clientId: string; vtr: readonly string[] }, number])[] = [
  [{ clientId: 'LtmbLUnPRWh9OYfXEeQK3VHrVjE', vtr: ['Cl.Cm'] }, 30],
  [{ clientId: 'kYPq3KpIHNpR0TlJfgMXm6E2Yxk', vtr: ['Cl.Cm.P2'] }, 35],
  [{ clientId: 'RqFZ83csmS4Mi4Y7s7ohD9ekwUa', vtr: ['Cl.Cm.P2', 'Cl.Cm.PCL200'] }, 20],
  [{ clientId: 'zFeCxrwpLCUHqJ7mdcGNN4y2pWo', vtr: ['Cl.Cm'] }, 15],
];

const GIVEN_NAMES = ['alex', 'sam', 'priya', 'mohammed', 'olivia', 'james', 'aisha', 'tom', 'fatima', 'emma', 'kwame'];
const FAMILY_NAMES = ['smith', 'jones', 'patel', 'khan', 'williams', 'brown', 'taylor', 'davies', 'evans', 'okafor'];
// Documentation address blocks (RFC 5737): realistic shape, never a real person's address.
const IP_PREFIXES = ['192.0.2.', '198.51.100.', '203.0.113.'];

/** People start journeys mostly in the day and evening, UTC. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 7, 7, 7, 6, 5, 4, 3, 2];

interface JourneyContext {
  readonly random: SeededRandom;
  readonly clientId: string;
  readonly user: {
    user_id?: string;
    email?: string;
    govuk_signin_journey_id: string;
    ip_address: string;
    session_id: string;
  };
  readonly records: TxmaRecord[];
  seconds: number;
}

/** Every event of one person's visit, in the order they happen. */
function userJourney(random: SeededRandom, dayStartSeconds: number): TxmaRecord[] {
  const relyingParty = random.weighted(RELYING_PARTIES);
  const hour = random.weighted(HOUR_WEIGHTS.map((weight, h) => [h, weight] as const));
  const journey: JourneyContext = {
    random,
    clientId: relyingParty.clientId,
    user: {
      email: `${random.pick(GIVEN_NAMES)}.${random.pick(FAMILY_NAMES)}${random.int(1, 999)}@example.com`,
      govuk_signin_journey_id: random.token(22),
      ip_address: `${random.pick(IP_PREFIXES)}${random.int(1, 254)}`,
      session_id: random.token(27),
    },
    records: [],
    seconds: dayStartSeconds + hour * 3600 + random.int(0, 3599),
  };

  registerAccount(journey);
  if (journey.user.user_id !== undefined && relyingParty.vtr.some((vector) => vector.endsWith('.P2'))) {
    const identity = proveIdentity(journey, relyingParty.vtr);
    if (identity === 'P2') requestCoreIdentity(journey);
  }
  return journey.records;
}

function registerAccount(journey: JourneyContext): void {
  const { random } = journey;
  const registration = { journey_type: 'REGISTRATION' };
  emit(journey, 'AUTH_EMAIL_CODE_SENT', COMPONENTS.auth, { notification_type: 'VERIFY_EMAIL', ...registration });
  if (random.chance(0.06)) return; // never came back with the code
  emit(journey, 'AUTH_CODE_VERIFIED', COMPONENTS.auth, {
    notification_type: 'VERIFY_EMAIL',
    ...registration,
    account_recovery: false,
    login_failure_count: failedAttempts(random),
  });
  journey.user.user_id = `urn:fdc:gov.uk:2022:${random.token(43)}`;
  emit(journey, 'AUTH_CREATE_ACCOUNT', COMPONENTS.auth, {
    rp_pairwise_id: `urn:fdc:gov.uk:2022:${random.token(43)}`,
    ...registration,
  });
  if (random.chance(0.7)) {
    emit(journey, 'AUTH_CODE_VERIFIED', COMPONENTS.auth, {
      notification_type: 'MFA_SMS',
      mfa_type: 'SMS',
      ...registration,
      account_recovery: false,
      login_failure_count: failedAttempts(random),
    });
    emit(journey, 'AUTH_UPDATE_PROFILE_PHONE_NUMBER', COMPONENTS.auth, {
      mfa_type: 'SMS',
      phone_number_country_code: random.weighted([
        ['44', 92],
        ['353', 3],
        ['33', 2],
        ['91', 2],
        ['1', 1],
      ]),
      account_recovery: false,
      ...registration,
    });
  } else {
    // An authenticator app code is not sent, so there is no notification_type.
    emit(journey, 'AUTH_CODE_VERIFIED', COMPONENTS.auth, {
      mfa_type: 'AUTH_APP',
      ...registration,
      account_recovery: false,
      login_failure_count: failedAttempts(random),
    });
  }
}

/** Returns the level of confidence reached, or undefined when no identity was issued. */
function proveIdentity(journey: JourneyContext, vtr: readonly string[]): 'P2' | undefined {
  const { random } = journey;
  emit(journey, 'IPV_JOURNEY_START', COMPONENTS.ipv, { reprove_identity: random.chance(0.02), vtr: [...vtr] });

  let passed = false;
  if (random.chance(0.55)) {
    emit(journey, 'DCMAW_CRI_START', COMPONENTS.app, { journey_type: random.chance(0.6) ? 'MAM' : 'DAD' });
    journey.seconds += random.int(120, 900);
    if (random.chance(0.78)) {
      passed = appCredential(journey);
    } else {
      emit(journey, 'DCMAW_ABORT_APP', COMPONENTS.app, {
        reason: random.weighted([
          ['user_cancelled', 50],
          ['no_suitable_document', 30],
          ['biometric_check_failed', 20],
        ]),
      });
    }
  }
  if (!passed) passed = webCredentials(journey);

  if (passed) {
    emit(journey, 'IPV_IDENTITY_ISSUED', COMPONENTS.ipv, {
      level_of_confidence: 'P2',
      ci_fail: false,
      has_mitigations: false,
      return_codes: [],
    });
    return 'P2';
  }
  const ciFail = random.chance(0.4);
  emit(journey, 'IPV_IDENTITY_ISSUED', COMPONENTS.ipv, {
    ci_fail: ciFail,
    has_mitigations: false,
    return_codes: ciFail ? [{ code: 'V' }, { code: 'A' }] : [{ code: 'A' }],
  });
  return undefined;
}

function appCredential(journey: JourneyContext): boolean {
  const { random } = journey;
  const documentType = random.weighted([
    ['NFC_PASSPORT', 55],
    ['DRIVING_LICENCE', 35],
    ['BRP', 10],
  ]);
  const successful = random.chance(0.92);
  emit(journey, 'DCMAW_CRI_VC_ISSUED', COMPONENTS.app, {
    iss: COMPONENTS.app,
    successful,
    document_type: documentType,
    evidence: [
      {
        type: 'IdentityCheck',
        txn: random.uuid(),
        strengthScore: documentType === 'DRIVING_LICENCE' ? 3 : 4,
        validityScore: successful ? (documentType === 'DRIVING_LICENCE' ? 2 : 3) : 0,
        activityHistoryScore: documentType === 'DRIVING_LICENCE' ? 1 : 0,
        checkDetails: [{ checkMethod: 'vri' }, { checkMethod: 'bvr', biometricVerificationProcessLevel: 3 }],
      },
    ],
  });
  return successful;
}

function webCredentials(journey: JourneyContext): boolean {
  const { random } = journey;
  journey.seconds += random.int(60, 600);
  const outcome = random.weighted([
    ['passed', 88],
    ['failed', 7],
    ['errored', 5],
  ]);
  if (outcome === 'errored') {
    // The passport service did not answer: the credential carries no evidence at all.
    emit(journey, 'IPV_PASSPORT_CRI_VC_ISSUED', COMPONENTS.passport, { iss: COMPONENTS.passport, successful: false });
    return false;
  }
  const successful = outcome === 'passed';
  emit(journey, 'IPV_PASSPORT_CRI_VC_ISSUED', COMPONENTS.passport, {
    iss: COMPONENTS.passport,
    successful,
    evidence: [
      {
        type: 'IdentityCheck',
        txn: random.uuid(),
        strengthScore: 4,
        validityScore: successful ? 2 : 0,
        ...(successful ? {} : { ci: ['D02'] }),
      },
    ],
  });
  if (!successful) return false;
  emit(journey, 'IPV_ADDRESS_CRI_VC_ISSUED', COMPONENTS.address, {
    iss: COMPONENTS.address,
    successful: true,
    addresses_entered: random.weighted([
      [1, 80],
      [2, 15],
      [3, 5],
    ]),
  });
  return true;
}

function requestCoreIdentity(journey: JourneyContext): void {
  const { random } = journey;
  emit(journey, 'ORCH_SPOT_REQUEST_SENT', COMPONENTS.orchestration, { vot: 'P2' });
  const accepted = random.chance(0.98);
  emit(
    journey,
    'ORCH_SPOT_RESPONSE_RECEIVED',
    COMPONENTS.orchestration,
    accepted ? { status: 'ACCEPTED' } : { status: 'REJECTED', reason: 'identity_claims_mismatch' },
  );
}

function failedAttempts(random: SeededRandom): number {
  return random.weighted([
    [0, 85],
    [1, 11],
    [2, 4],
  ]);
}

/** Records an event a few seconds to minutes after the previous one of the journey. */
function emit(journey: JourneyContext, eventName: string, componentId: string, extensions: Record<string, unknown>) {
  journey.seconds += journey.random.int(5, 240);
  const { user_id, email, ...session } = journey.user;
  // Components outside sign-in do not see the e-mail address; nobody has a user_id before the account exists.
  const user: TxmaUser = {
    ...(user_id === undefined ? {} : { user_id }),
    ...(email === undefined || componentId !== COMPONENTS.auth ? {} : { email }),
    ...session,
  };
  journey.records.push({
    event_id: journey.random.uuid(),
    event_name: eventName,
    ...happenedAt(journey.seconds),
    client_id: journey.clientId,
    component_id: componentId,
    user,
    extensions,
  });
}

function createsAccount(journey: readonly TxmaRecord[]): boolean {
  return journey.some((record) => record.event_name === 'AUTH_CREATE_ACCOUNT');
}

/** The journey as the person with this address made it: the events that carry the e-mail carry theirs. */
function withEmail(journey: readonly TxmaRecord[], email: string): TxmaRecord[] {
  return journey.map((record) =>
    record.user.email === undefined ? record : { ...record, user: { ...record.user, email } },
  );
}

function happenedAt(seconds: number): Pick<TxmaRecord, 'timestamp' | 'timestamp_formatted'> {
  return { timestamp: seconds, timestamp_formatted: new Date(seconds * 1000).toISOString() };
}

// ---------------------------------------------------------------- delivery

interface Delivery {
  readonly record: TxmaRecord;
  /** Epoch seconds Firehose wrote the record; decides the partition and the file. */
  readonly deliveredAt: number;
}

function deliveryLagSeconds(random: SeededRandom, lateRate: number): number {
  return random.chance(lateRate) ? random.int(20 * 3600, 30 * 3600) : random.int(1, 300);
}

function toFiles(deliveries: readonly Delivery[], options: TxmaSampleOptions): SampleFile[] {
  const byFile = new Map<string, { folder: string; name: string; records: TxmaRecord[] }>();
  const ordered = [...deliveries].sort((a, b) => a.deliveredAt - b.deliveredAt);
  for (const { record, deliveredAt } of ordered) {
    const delivered = new Date(deliveredAt * 1000).toISOString();
    const [year, month, day] = [delivered.slice(0, 4), delivered.slice(5, 7), delivered.slice(8, 10)];
    const bufferStartHour = Math.floor(Number(delivered.slice(11, 13)) / options.bufferHours) * options.bufferHours;
    const folder = `txma/${record.event_name.toLowerCase()}/year=${year}/month=${month}/day=${day}`;
    const name = `${options.deliveryStream}-${year}-${month}-${day}-${String(bufferStartHour).padStart(2, '0')}`;
    const id = `${folder}/${name}`;
    const file = byFile.get(id) ?? { folder, name, records: [] };
    byFile.set(id, file);
    file.records.push(record);
  }

  // Numbered within each partition, in delivery order, as a reader listing one day's folder would see them.
  const filesInFolder = new Map<string, number>();
  const files = [...byFile.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, file]) => {
      const sequence = (filesInFolder.get(file.folder) ?? 0) + 1;
      filesInFolder.set(file.folder, sequence);
      return { key: `${file.folder}/${file.name}-${sequence}.json`, records: file.records };
    });

  const withoutField = files.find((file) => file.key.startsWith(`txma/${FILE_WITHOUT_FIELD.event}/`));
  if (withoutField) {
    // A producer release that did not send the field yet: every record of this one file lacks it, and so does
    // every re-delivery of those records (Firehose re-delivers the bytes it was sent).
    const sent = new Set(withoutField.records.map((r) => `${r.event_id}|${r.timestamp}`));
    for (const file of files) {
      file.records = file.records.map((record) => {
        if (!sent.has(`${record.event_id}|${record.timestamp}`)) return record;
        const { [FILE_WITHOUT_FIELD.field]: _dropped, ...extensions } = record.extensions;
        return { ...record, extensions };
      });
    }
  }
  return files.map(({ key, records }) => ({
    key,
    body: `${records.map((record) => JSON.stringify(record)).join('\n')}\n`,
  }));
}

function checkOptions(options: TxmaSampleOptions): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.startDate) || Number.isNaN(Date.parse(options.startDate))) {
    throw new RangeError(`startDate must be a date as YYYY-MM-DD, got "${options.startDate}"`);
  }
  for (const name of ['days', 'eventsPerDay', 'bufferHours'] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) {
      throw new RangeError(`${name} must be a whole number of at least 1, got ${options[name]}`);
    }
  }
  if (24 % options.bufferHours !== 0) throw new RangeError(`bufferHours must divide 24, got ${options.bufferHours}`);
  for (const name of ['redeliveryRate', 'retryRate', 'lateRate'] as const) {
    if (!(options[name] >= 0 && options[name] <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  }
  for (const email of options.people) {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new RangeError(`people must be e-mail addresses, got "${email}"`);
  }
  if (!/^[a-z0-9-]+$/.test(options.deliveryStream)) {
    throw new RangeError(
      `deliveryStream must be lower-case letters, digits and hyphens, got "${options.deliveryStream}"`,
    );
  }
}
