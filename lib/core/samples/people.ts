/**
 * The people of the shipped samples who appear in more than one source, so the single customer view has someone to
 * link (`sp_scv_consolidate`, rules in `redshift-scripts/procedures/scv_match_rules.sql`: normalised e-mail, then
 * phone; a key value shared by different first names links nobody). Each appearance holds the e-mail as that source
 * has it: typed with capitals and spaces, which the file sources lower-case and trim when they ingest and Eventbrite
 * keeps as the attendee typed it. Everyone else in the samples appears once.
 *
 * Where each appearance lives: the CRM extracts, shop customers and registrations are written by
 * `scripts/generate-file-samples.ts` from this list; the Eventbrite attendees are in the replay samples under
 * `samples/apis/eventbrite/` (fixed JSON, edited by hand to match); the One Login users are the first journeys of the
 * TxMA sample that create an account (`generateTxmaSamples`, option `people`).
 */

export interface SamplePerson {
  readonly first_name: string;
  readonly last_name: string;
  /** The CRM contact (`ContactId`): its e-mail and phone are in the extracts' own rows. */
  readonly crm?: string;
  readonly shop?: { readonly customer_id: string; readonly email: string; readonly phone?: string };
  readonly registration?: { readonly registration_id: string; readonly email: string };
  readonly eventbrite?: { readonly attendee_id: string; readonly email: string };
  readonly txma?: { readonly email: string };
}

export const SAMPLE_PEOPLE: readonly SamplePerson[] = [
  // In all five sources with people in them, the e-mail in every spelling: one customer.
  {
    first_name: 'Jane',
    last_name: 'Doe',
    crm: 'c002',
    shop: { customer_id: 'C10002', email: ' JANE.DOE@EXAMPLE.COM ' },
    registration: { registration_id: 'R7002', email: 'Jane.Doe@Example.com' },
    eventbrite: { attendee_id: '1300004005', email: 'Jane.Doe@Example.com ' },
    txma: { email: 'jane.doe@example.com' },
  },
  // Changed e-mail: the shop has the address of before the CRM's second extract, Eventbrite and One Login the new
  // one; the CRM's type 2 history holds both, so all four are one customer.
  {
    first_name: 'Ella',
    last_name: 'Murphy',
    crm: 'c005',
    shop: { customer_id: 'C10005', email: ' ELLA@OLD-DOMAIN.EXAMPLE' },
    eventbrite: { attendee_id: '1300005006', email: 'Ella.Murphy@Coastal.example' },
    txma: { email: 'ella.murphy@coastal.example' },
  },
  // Another e-mail in the shop, the CRM's phone: linked by phone; the registration by the CRM's e-mail.
  {
    first_name: 'Kai',
    last_name: 'Brown',
    crm: 'c011',
    shop: { customer_id: 'C10011', email: 'kai@brownfamily.example', phone: '0113 496 0011' },
    registration: { registration_id: 'R7005', email: 'kai.brown@example.com' },
  },
  // A shared mailbox: two people, one address. Different first names: never merged, two customers.
  {
    first_name: 'Chidi',
    last_name: 'Okafor',
    shop: { customer_id: 'C10014', email: 'Okafor.Family@example.com' },
  },
  {
    first_name: 'Ngozi',
    last_name: 'Okafor',
    registration: { registration_id: 'R7008', email: 'okafor.family@example.com ' },
  },
  {
    first_name: 'Ava',
    last_name: 'Patel',
    crm: 'c001',
    shop: { customer_id: 'C10001', email: ' AVA.PATEL@EXAMPLE.COM' },
  },
  {
    first_name: 'Harry',
    last_name: 'Walsh',
    crm: 'c008',
    shop: { customer_id: 'C10008', email: ' HARRY.WALSH@EXAMPLE.COM' },
  },
  {
    first_name: 'Dev',
    last_name: 'Evans',
    crm: 'c004',
    registration: { registration_id: 'R7017', email: 'dev.evans@example.com' },
  },
  {
    first_name: 'Finn',
    last_name: 'Clarke',
    crm: 'c006',
    registration: { registration_id: 'R7020', email: 'Finn.Clarke@example.com' },
  },
  { first_name: 'Isla', last_name: 'Hughes', crm: 'c009', txma: { email: 'isla.hughes@example.com' } },
  {
    first_name: 'Liam',
    last_name: 'Walsh',
    registration: { registration_id: 'R7011', email: ' Liam.Walsh@example.org' },
    eventbrite: { attendee_id: '1300003004', email: 'liam.walsh@example.org' },
    txma: { email: 'liam.walsh@example.org' },
  },
  {
    first_name: 'Amira',
    last_name: 'Hassan',
    registration: { registration_id: 'R7014', email: 'Amira.Hassan@example.org' },
    eventbrite: { attendee_id: '1300001001', email: 'amira.hassan@example.org' },
  },
  {
    first_name: 'Grace',
    last_name: 'Obi',
    shop: { customer_id: 'C10017', email: ' GRACE.OBI@EXAMPLE.ORG' },
    eventbrite: { attendee_id: '1300002003', email: 'grace.obi@example.org' },
    txma: { email: 'grace.obi@example.org' },
  },
  {
    first_name: 'Kofi',
    last_name: 'Mensah',
    shop: { customer_id: 'C10020', email: ' KOFI.MENSAH@EXAMPLE.ORG' },
    eventbrite: { attendee_id: '1290001008', email: 'kofi.mensah@example.org' },
  },
];

/** The One Login e-mail addresses of the sample people, in the order the TxMA sample gives them to journeys. */
export const TXMA_SAMPLE_EMAILS: readonly string[] = SAMPLE_PEOPLE.flatMap((person) =>
  person.txma ? [person.txma.email] : [],
);
