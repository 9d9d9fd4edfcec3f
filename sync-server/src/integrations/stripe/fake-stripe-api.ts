// A local fake of Stripe's HTTP API: the part a cashier's card-reader flow uses (payment intents,
// Terminal readers and their test helper, charges, refunds, events and signed webhooks). It acts
// like Stripe's test mode so the real `stripe` SDK can be pointed at it; the server tests use it,
// and so does the server's simulated mode when no Stripe key is set. Bad input is answered with
// Stripe-shaped errors, never a crash. State lives in memory and is lost on close.
//
// Choices where Stripe's behaviour is not pinned down by its documentation:
// - cancel_action clears an in-progress action (the reader answers `action: null`, as in Stripe's
//   API reference); on a reader whose action has already finished it changes nothing, so a tap
//   that won the race stays visible. No event is sent for it.
// - Cancelling a PaymentIntent leaves a reader that is processing it alone (Stripe's PaymentIntent
//   API does not reach into readers): presenting a card there then fails the reader's action with
//   `payment_intent_unexpected_state`. Call cancel_action to free the reader.
// - A declined card makes a failed charge, as Stripe does: the intent's `latest_charge` points at
//   it and `last_payment_error.charge` names it; the intent returns to requires_payment_method.
// - The request log and events carry the request's id (`req_…`); replays of an idempotent request
//   run nothing and send no events. Parameter errors are not saved against an idempotency key.
// - Amounts are checked against 1..99,999,999 only; Stripe's per-currency minimums are not applied.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHmac, randomInt, randomUUID } from 'node:crypto';

export interface FakeReader {
  id: string;
  label: string;
  /** Default 'simulated_wisepos_e'. */
  deviceType?: string;
  /** Default 'online'. */
  status?: 'online' | 'offline';
}

export interface FakeStripeOptions {
  /** Requests must carry `Authorization: Bearer <apiKey>` (or Basic with it as the user). */
  apiKey: string;
  /** Default: two simulated readers, tmr_sim_front and tmr_sim_second. */
  readers?: FakeReader[];
  /** Events are POSTed here, signed as Stripe signs them; failures are recorded, never thrown. */
  webhook?: { url: string; secret: string };
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Timestamps of objects, events and webhook signatures. */
  clock?: () => Date;
}

export interface FakeStripeApi {
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  /** Every request received, in order: method, path (no query), idempotency key header, parsed body/query. */
  requests: { method: string; path: string; idempotencyKey: string | undefined; params: Record<string, unknown> }[];
  /** Webhook deliveries attempted: event type, HTTP status or error. */
  deliveries: { type: string; status: number | null; error?: string }[];
  /** Wait until pending webhook deliveries have finished (tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_READERS: FakeReader[] = [
  { id: 'tmr_sim_front', label: 'Front window reader' },
  { id: 'tmr_sim_second', label: 'Second window reader' },
];
/** The version events carry when a request names none (the SDK always sends its own). */
const DEFAULT_API_VERSION = '2026-11-18.endive';
const MAX_BODY_BYTES = 1024 * 1024;
/** Past this much an oversized body is no longer drained; the connection is cut. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_AMOUNT = 99_999_999;
const MAX_EXPAND_DEPTH = 4;

type Obj = Record<string, unknown>;
type Metadata = Record<string, string>;

// ---- Errors ----

interface ErrorBody {
  type: 'invalid_request_error' | 'idempotency_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  payment_intent?: Obj;
}

/** A Stripe error answer. `saved`: stored against an idempotency key (Stripe saves a result only once the endpoint started executing). */
class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly saved = true,
  ) {
    super(body.message);
  }
}

const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;

/** A request Stripe refuses after starting to act on it (saved for idempotent replay). */
function refused(message: string, options: { status?: number; code?: string; param?: string; payment_intent?: Obj } = {}): StripeFailure {
  const { status = 400, code, param, payment_intent } = options;
  return new StripeFailure(status, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
    ...(payment_intent ? { payment_intent } : {}),
  });
}

/** A parameter that failed validation (never saved for idempotent replay). */
function invalidParam(param: string, message: string, code?: string): StripeFailure {
  return new StripeFailure(400, { type: 'invalid_request_error', message, param, ...(code ? { code, doc_url: docUrl(code) } : {}) }, false);
}

function missing(kind: string, id: string, param: string, status = 404): StripeFailure {
  return refused(`No such ${kind}: '${id}'`, { status, code: 'resource_missing', param });
}

class FormError extends Error {}

// ---- Form decoding: the bracket form the SDK sends (a[b]=c, a[0]=x, a[]=x) ----

type FormNode = string | FormNode[] | { [key: string]: FormNode };
const MAX_FORM_DEPTH = 10;

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new FormError(`invalid percent-encoding in '${text.slice(0, 100)}'`);
  }
}

function splitName(name: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!match?.[1]) throw new FormError(`invalid parameter name '${name.slice(0, 100)}'`);
  const segments = [match[1], ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '')];
  if (segments.length > MAX_FORM_DEPTH) throw new FormError(`parameter '${name.slice(0, 100)}' is nested too deeply`);
  return segments;
}

const isHashNode = (node: FormNode | undefined): node is { [key: string]: FormNode } => typeof node === 'object' && !Array.isArray(node);

function assign(parent: { [key: string]: FormNode }, key: string, rest: string[], value: string, name: string): void {
  const existing = parent[key];
  const [next, ...after] = rest;
  if (next === undefined) {
    if (existing !== undefined && typeof existing !== 'string') throw new FormError(`parameter '${name}' is given both as a value and as a hash or array`);
    parent[key] = value;
    return;
  }
  if (next === '') {
    // name[]=x appends; nothing may follow the empty brackets.
    if (after.length > 0) throw new FormError(`unsupported parameter name '${name}'`);
    if (existing === undefined) parent[key] = [value];
    else if (Array.isArray(existing)) existing.push(value);
    else throw new FormError(`parameter '${name}' is given both as a value or hash and as an array`);
    return;
  }
  let child = existing;
  if (child === undefined) {
    child = Object.create(null) as { [key: string]: FormNode };
    parent[key] = child;
  }
  if (!isHashNode(child)) throw new FormError(`parameter '${name}' is given both as a value and as a hash`);
  assign(child, next, after, value, name);
}

/** Plain objects out (null-prototype ones in, against `__proto__` keys); integer-keyed hashes become arrays, except metadata, whose keys are the caller's own. */
function normalize(node: FormNode, key: string | null): unknown {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map((item) => normalize(item, null));
  const keys = Object.keys(node);
  if (key !== 'metadata' && keys.length > 0 && keys.every((k) => /^(0|[1-9]\d{0,5})$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => normalize(node[String(index)] as FormNode, null));
  }
  return Object.fromEntries(keys.map((k) => [k, normalize(node[k] as FormNode, k)]));
}

function parseForm(text: string): Obj {
  const root = Object.create(null) as { [key: string]: FormNode };
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    // A pair with no name (`=x`) is ignored, as Rack-style parsers do.
    if (name === '') continue;
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    const [base, ...rest] = splitName(name);
    assign(root, base ?? '', rest, value, name);
  }
  return normalize(root, null) as Obj;
}

// ---- Parameter reading ----

const isHash = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const oneOfText = (values: readonly string[]): string => (values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')}, or ${values.at(-1) ?? ''}`);

function allowOnly(params: Obj, allowed: readonly string[], prefix?: string): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw invalidParam(name, `Received unknown parameter: ${name}`, 'parameter_unknown');
    }
  }
}

/** A string parameter; '' counts as absent, as Stripe reads an empty value as unset. */
function readString(params: Obj, name: string, options: { required?: boolean; max?: number; oneOf?: readonly string[]; label?: string } = {}): string | undefined {
  const label = options.label ?? name;
  const value = params[name];
  if (value === undefined || value === '') {
    if (options.required) throw invalidParam(label, `Missing required param: ${label}.`, 'parameter_missing');
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParam(label, `Invalid string: ${show(value).slice(0, 100)}`);
  if (options.max !== undefined && value.length > options.max) {
    throw invalidParam(label, `Invalid string: ${value.slice(0, 20)}...; must be at most ${options.max} characters`);
  }
  if (options.oneOf && !options.oneOf.includes(value)) throw invalidParam(label, `Invalid ${label}: must be one of ${oneOfText(options.oneOf)}`);
  return value;
}

function readInteger(params: Obj, name: string, options: { required?: boolean; min?: number } = {}): number | undefined {
  const value = params[name];
  if (value === undefined || value === '') {
    if (options.required) throw invalidParam(name, `Missing required param: ${name}.`, 'parameter_missing');
    return undefined;
  }
  const number = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number)) throw invalidParam(name, `Invalid integer: ${show(value).slice(0, 100)}`, 'parameter_invalid_integer');
  if (options.min !== undefined && number < options.min) {
    throw invalidParam(name, `This value must be greater than or equal to ${options.min}.`, 'parameter_invalid_integer');
  }
  return number;
}

function readStringArray(params: Obj, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) throw invalidParam(name, 'Invalid array');
  return value;
}

function readHash(params: Obj, name: string): Obj | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (!isHash(value)) throw invalidParam(name, 'Invalid hash');
  return value;
}

/** Metadata within Stripe's limits: ≤50 keys, keys ≤40 characters, values ≤500; an empty value leaves the key unset. */
function readMetadata(params: Obj): Metadata | undefined {
  const value = params.metadata;
  if (value === undefined) return undefined;
  if (value === '') return {};
  if (!isHash(value)) throw invalidParam('metadata', 'Invalid hash');
  const metadata: Metadata = {};
  for (const [key, item] of Object.entries(value)) {
    const param = `metadata[${key}]`;
    if (typeof item !== 'string') throw invalidParam(param, `Invalid value for ${param}: metadata values must be strings.`);
    if (key.length > 40) throw invalidParam(param, `Invalid metadata: keys can be at most 40 characters long, but '${key.slice(0, 50)}' has ${key.length}.`);
    if (item.length > 500) throw invalidParam(param, `Invalid metadata: values can be at most 500 characters long, but ${param} has ${item.length}.`);
    if (item !== '') metadata[key] = item;
  }
  const count = Object.keys(metadata).length;
  if (count > 50) throw invalidParam('metadata', `Invalid metadata: metadata can have at most 50 keys, but ${count} were given.`);
  return metadata;
}

// ---- Money, ids, cards ----

const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);
const SYMBOLS: Record<string, string> = { usd: '$', cad: 'CA$', aud: 'A$', eur: '€', gbp: '£' };

/** As Stripe writes an amount in messages: "$10.00", "KES 1,500.00". */
function formatMoney(amount: number, currency: string): string {
  const digits = ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2;
  const text = (amount / 10 ** digits).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const symbol = SYMBOLS[currency];
  return symbol ? `${symbol}${text}` : `${currency.toUpperCase()} ${text}`;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomText(length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return text;
}

interface TestCard {
  brand: string;
  funding: 'credit' | 'debit';
  /** A decline: the error code, the issuer's decline code and the message Stripe gives. */
  decline?: { code: string; declineCode: string; message: string };
}

const DECLINED = 'Your card was declined.';
/** Stripe's documented test cards for Terminal's simulated readers. */
const TEST_CARDS: Record<string, TestCard> = {
  '4242424242424242': { brand: 'visa', funding: 'credit' },
  '4000056655665556': { brand: 'visa', funding: 'debit' },
  '5555555555554444': { brand: 'mastercard', funding: 'credit' },
  '5200828282828210': { brand: 'mastercard', funding: 'debit' },
  '378282246310005': { brand: 'amex', funding: 'credit' },
  '6011111111111117': { brand: 'discover', funding: 'credit' },
  '4000000000000002': { brand: 'visa', funding: 'credit', decline: { code: 'card_declined', declineCode: 'generic_decline', message: DECLINED } },
  '4000000000009995': { brand: 'visa', funding: 'credit', decline: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' } },
  '4000000000009987': { brand: 'visa', funding: 'credit', decline: { code: 'card_declined', declineCode: 'lost_card', message: DECLINED } },
  '4000000000009979': { brand: 'visa', funding: 'credit', decline: { code: 'card_declined', declineCode: 'stolen_card', message: DECLINED } },
  '4000000000000069': { brand: 'visa', funding: 'credit', decline: { code: 'expired_card', declineCode: 'expired_card', message: 'Your card has expired.' } },
  '4000000000000119': {
    brand: 'visa',
    funding: 'credit',
    decline: { code: 'processing_error', declineCode: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
  },
};

function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string): string {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65)/.test(number)) return 'discover';
  return 'unknown';
}

/** What a presented number does: a test card, a mistyped number, or a real card refused in test mode. */
function cardFor(number: string): TestCard | { brand: string; funding: 'credit'; decline: { code: string; declineCode: string | null; message: string } } {
  const known = TEST_CARDS[number];
  if (known) return known;
  if (!luhnValid(number)) return { brand: brandOf(number), funding: 'credit', decline: { code: 'incorrect_number', declineCode: null, message: 'Your card number is incorrect.' } };
  return {
    brand: brandOf(number),
    funding: 'credit',
    decline: {
      code: 'card_declined',
      declineCode: 'test_mode_live_card',
      message: 'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
    },
  };
}

// ---- Stored objects (kept in Stripe's shape; responses are copies) ----

type IntentStatus = 'requires_payment_method' | 'requires_capture' | 'succeeded' | 'canceled';

interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  application: null;
  application_fee_amount: null;
  automatic_payment_methods: Obj | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: string;
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: null;
  customer_account: null;
  description: string | null;
  excluded_payment_method_types: string[] | null;
  last_payment_error: Obj | null;
  latest_charge: string | null;
  livemode: false;
  managed_payments: null;
  metadata: Metadata;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: null;
  payment_method_types: string[];
  payment_record: null;
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: null;
  shipping: null;
  source: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: IntentStatus;
  transfer_group: string | null;
}

interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  description: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  outcome: Obj;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details: { type: 'card_present'; card_present: Obj };
  refunded: boolean;
  status: 'succeeded' | 'failed';
}

interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
}

interface ReaderAction {
  type: 'process_payment_intent';
  status: 'in_progress' | 'succeeded' | 'failed';
  failure_code: string | null;
  failure_message: string | null;
  api_error: Obj | null;
  process_payment_intent: { payment_intent: string };
}

interface Reader {
  id: string;
  object: 'terminal.reader';
  action: ReaderAction | null;
  device_sw_version: string;
  device_type: string;
  ip_address: string;
  label: string;
  last_seen_at: number;
  livemode: false;
  location: null;
  metadata: Metadata;
  serial_number: string;
  status: 'online' | 'offline';
}

interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Obj };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** Ids are kept by kind so an expansion can find what an id names. */
interface Store {
  payment_intent: Map<string, PaymentIntent>;
  charge: Map<string, Charge>;
  refund: Map<string, Refund>;
  'terminal.reader': Map<string, Reader>;
  event: Map<string, StripeEvent>;
}
type Kind = keyof Store;

// ---- Expansion ----

/** Per object kind, the fields `expand` may name, and what they hold. */
const EXPANDABLE: Record<Kind, Record<string, Kind>> = {
  payment_intent: { latest_charge: 'charge' },
  charge: { payment_intent: 'payment_intent' },
  refund: { charge: 'charge', payment_intent: 'payment_intent' },
  'terminal.reader': { 'action.process_payment_intent.payment_intent': 'payment_intent' },
  event: {},
};

/** A response's shape for `expand`: one object, or a list of them (paths then start with data.). */
type Shape = { kind: Kind } | { list: Kind };

function matchField(kind: Kind, segments: string[]): { field: string[]; target: Kind } | null {
  for (const [field, target] of Object.entries(EXPANDABLE[kind])) {
    const parts = field.split('.');
    if (parts.every((part, i) => segments[i] === part)) return { field: parts, target };
  }
  return null;
}

function checkExpand(shape: Shape, path: string): void {
  const cannot = (): StripeFailure => invalidParam('expand', `This property cannot be expanded (${path}).`);
  let segments = path.split('.');
  let kind: Kind;
  if ('list' in shape) {
    if (segments[0] !== 'data') throw invalidParam('expand', `This property cannot be expanded (${path}). You may want to try expanding 'data.${path}' instead.`);
    segments = segments.slice(1);
    kind = shape.list;
  } else {
    kind = shape.kind;
  }
  let depth = 0;
  while (segments.length > 0) {
    const match = matchField(kind, segments);
    if (!match) throw cannot();
    depth += 1;
    if (depth > MAX_EXPAND_DEPTH) throw invalidParam('expand', `You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property (${path}).`);
    segments = segments.slice(match.field.length);
    kind = match.target;
  }
}

// ---- The server ----

interface Context {
  params: Obj;
  requestId: string;
  idempotencyKey: string | undefined;
  apiVersion: string;
}

interface Route {
  method: 'GET' | 'POST';
  path: string[];
  shape: Shape;
  run(context: Context, ids: string[]): Obj;
}

interface SavedResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
  at: number;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isHash(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function redactKey(key: string): string {
  const match = /^([a-z]{2,4}_(?:test|live)_)(.*)$/.exec(key);
  const prefix = match?.[1] ?? '';
  const rest = match?.[2] ?? key;
  return rest.length <= 4 ? `${prefix}${'*'.repeat(rest.length)}` : `${prefix}${'*'.repeat(Math.min(rest.length - 4, 24))}${rest.slice(-4)}`;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or null when it passed the size limit (drained when that is cheap, so the client reads the answer). */
function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) request.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('close', () => reject(new Error('request closed before its body was read')));
  });
}

export async function startFakeStripeApi(options: FakeStripeOptions): Promise<FakeStripeApi> {
  const clock = options.clock ?? (() => new Date());
  const nowSeconds = (): number => Math.floor(clock().getTime() / 1000);
  const webhook = options.webhook;
  const store: Store = { payment_intent: new Map(), charge: new Map(), refund: new Map(), 'terminal.reader': new Map(), event: new Map() };
  const saved = new Map<string, SavedResponse>();
  const requests: FakeStripeApi['requests'] = [];
  const deliveries: FakeStripeApi['deliveries'] = [];
  let deliveryChain: Promise<void> = Promise.resolve();
  const closing = new AbortController();
  const startedAt = clock().getTime();

  for (const reader of options.readers ?? DEFAULT_READERS) {
    if (store['terminal.reader'].has(reader.id)) throw new Error(`Fake Stripe: reader ${reader.id} is listed twice`);
    store['terminal.reader'].set(reader.id, {
      id: reader.id,
      object: 'terminal.reader',
      action: null,
      device_sw_version: '',
      device_type: reader.deviceType ?? 'simulated_wisepos_e',
      ip_address: '0.0.0.0',
      label: reader.label,
      last_seen_at: startedAt,
      livemode: false,
      location: null,
      metadata: {},
      serial_number: randomUUID(),
      status: reader.status ?? 'online',
    });
  }

  const newId = (prefix: string, kind: Kind | null): string => {
    for (;;) {
      const id = `${prefix}${randomText(24)}`;
      if (!kind || !store[kind].has(id)) return id;
    }
  };

  // Responses and event payloads are copies, so later changes never reach them.
  const render = (kind: Kind, id: string): Obj | null => {
    const found = store[kind].get(id);
    if (!found) return null;
    const copy = structuredClone(found) as unknown as Obj;
    if (kind === 'terminal.reader' && copy.status === 'online') copy.last_seen_at = clock().getTime();
    return copy;
  };

  const expandInto = (object: Obj, kind: Kind, segments: string[]): void => {
    const match = matchField(kind, segments);
    if (!match) return;
    let parent: unknown = object;
    for (const part of match.field.slice(0, -1)) parent = isHash(parent) ? parent[part] : undefined;
    const last = match.field.at(-1) ?? '';
    if (!isHash(parent)) return;
    const value = parent[last];
    if (typeof value === 'string') parent[last] = render(match.target, value) ?? value;
    const expanded = parent[last];
    if (isHash(expanded)) expandInto(expanded, match.target, segments.slice(match.field.length));
  };

  const applyExpand = (result: Obj, shape: Shape, paths: string[]): void => {
    for (const path of paths) {
      const segments = path.split('.');
      if ('list' in shape) {
        const data = result.data;
        if (Array.isArray(data)) for (const item of data) if (isHash(item)) expandInto(item, shape.list, segments.slice(1));
      } else {
        expandInto(result, shape.kind, segments);
      }
    }
  };

  // ---- Events and webhooks ----

  const deliver = async (event: StripeEvent): Promise<void> => {
    if (!webhook) return;
    const payload = JSON.stringify(event, null, 2);
    const timestamp = nowSeconds();
    const signature = createHmac('sha256', webhook.secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Stripe-Signature': `t=${timestamp},v1=${signature}`,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      deliveries.push({ type: event.type, status: response.status });
    } catch (error) {
      // fetch's own message is "fetch failed"; the cause says why (ECONNREFUSED, a timeout).
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      deliveries.push({ type: event.type, status: null, error: `${error instanceof Error ? error.message : String(error)}${cause}` });
    }
  };

  const emit = (context: Context, type: string, kind: Kind, id: string): void => {
    const object = render(kind, id);
    if (!object) return;
    const event: StripeEvent = {
      id: newId('evt_3', 'event'),
      object: 'event',
      api_version: context.apiVersion,
      created: nowSeconds(),
      data: { object },
      livemode: false,
      pending_webhooks: webhook ? 1 : 0,
      request: { id: context.requestId, idempotency_key: context.idempotencyKey ?? null },
      type,
    };
    store.event.set(event.id, event);
    if (webhook) deliveryChain = deliveryChain.then(() => deliver(event));
  };

  // ---- Lookups ----

  const intentOr404 = (id: string, param = 'intent', status = 404): PaymentIntent => {
    const intent = store.payment_intent.get(id);
    if (!intent) throw missing('payment_intent', id, param, status);
    return intent;
  };
  const readerOr404 = (id: string): Reader => {
    const reader = store['terminal.reader'].get(id);
    if (!reader) throw missing('terminal.reader', id, 'reader');
    return reader;
  };
  const readerOffline = (): StripeFailure =>
    refused('Reader is currently offline, please ensure the reader is powered on and connected to the internet before retrying your request.', {
      code: 'terminal_reader_offline',
    });

  // ---- Handlers ----

  /**
   * The payment method types an intent ends up with. From API version 2026-08-26 Stripe no longer
   * takes `payment_method_types` (400 payment_method_types_no_longer_supported); it takes
   * `allowed_payment_method_types` (since 2026-07-29: incompatible types are dropped silently) or
   * `excluded_payment_method_types`, and otherwise picks them itself (here: card).
   */
  const paymentMethodTypes = (
    context: Context,
    currency: string,
  ): { types: string[]; allowed: string[] | null; excluded: string[] | null; automatic: Obj | null } => {
    const { params } = context;
    const versionDate = context.apiVersion.slice(0, 10);
    const explicit = readStringArray(params, 'payment_method_types');
    const allowed = readStringArray(params, 'allowed_payment_method_types');
    const excluded = readStringArray(params, 'excluded_payment_method_types');
    const automaticParams = readHash(params, 'automatic_payment_methods');
    if (automaticParams) allowOnly(automaticParams, ['enabled', 'allow_redirects'], 'automatic_payment_methods');
    if (explicit && versionDate >= '2026-08-26') {
      throw invalidParam(
        'payment_method_types',
        `payment_method_types is no longer supported on API version ${context.apiVersion}. Use allowed_payment_method_types or excluded_payment_method_types, or let Stripe choose the payment method types.`,
        'payment_method_types_no_longer_supported',
      );
    }
    if (allowed && versionDate < '2026-07-29') {
      throw invalidParam('allowed_payment_method_types', 'Received unknown parameter: allowed_payment_method_types', 'parameter_unknown');
    }
    const given = [explicit && 'payment_method_types', allowed && 'allowed_payment_method_types', excluded && 'excluded_payment_method_types', automaticParams && 'automatic_payment_methods'].filter(
      (name): name is string => typeof name === 'string',
    );
    if (given.length > 1 && (allowed || explicit)) {
      throw invalidParam(given[1] ?? '', `You may only specify one of these parameters: ${given.join(', ')}.`, 'parameters_exclusive');
    }
    const usable = (type: string): boolean => type === 'card' || type === 'card_present' || (type === 'interac_present' && currency === 'cad');
    if (explicit) {
      for (const type of explicit) {
        if (!usable(type)) {
          throw invalidParam(
            'payment_method_types',
            `The payment method type "${type.slice(0, 40)}" is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and your account is enabled for any preview features that you are trying to use.`,
          );
        }
      }
      return { types: [...new Set(explicit)], allowed: null, excluded: null, automatic: null };
    }
    if (allowed) {
      const types = [...new Set(allowed.filter(usable))];
      if (types.length === 0) {
        throw invalidParam('allowed_payment_method_types', 'None of the allowed_payment_method_types can be used with this PaymentIntent.');
      }
      return { types, allowed: [...allowed], excluded: null, automatic: null };
    }
    // Dynamic payment methods: card only here (Terminal's card_present is never chosen dynamically).
    const types = ['card'].filter((type) => !excluded?.includes(type));
    if (types.length === 0) throw invalidParam('excluded_payment_method_types', 'No payment method types are left once excluded_payment_method_types are taken out.');
    return { types, allowed: null, excluded: excluded ? [...excluded] : null, automatic: { allow_redirects: 'always', enabled: true } };
  };

  const createIntent = (context: Context): Obj => {
    const { params } = context;
    allowOnly(params, [
      'amount',
      'currency',
      'payment_method_types',
      'allowed_payment_method_types',
      'excluded_payment_method_types',
      'automatic_payment_methods',
      'capture_method',
      'description',
      'metadata',
      'receipt_email',
      'statement_descriptor',
      'statement_descriptor_suffix',
      'transfer_group',
      'expand',
      // Accepted and ignored.
      'payment_method_options',
    ]);
    const amount = readInteger(params, 'amount', { required: true, min: 1 }) ?? 0;
    if (amount > MAX_AMOUNT) throw invalidParam('amount', `Amount must be no more than ${MAX_AMOUNT}`, 'amount_too_large');
    const currencyText = readString(params, 'currency', { required: true }) ?? '';
    if (!/^[a-zA-Z]{3}$/.test(currencyText)) {
      throw invalidParam('currency', `Invalid currency: ${currencyText.slice(0, 20).toLowerCase()}. Stripe currently supports these currencies: usd, eur, gbp, cad, aud, ...`);
    }
    const currency = currencyText.toLowerCase();
    const methods = paymentMethodTypes(context, currency);
    const captureMethod = readString(params, 'capture_method', { oneOf: ['automatic', 'automatic_async', 'manual'] }) ?? 'automatic';
    const description = readString(params, 'description', { max: 1000 }) ?? null;
    const receiptEmail = readString(params, 'receipt_email', { max: 800 }) ?? null;
    const descriptor = readString(params, 'statement_descriptor', { max: 22 }) ?? null;
    const descriptorSuffix = readString(params, 'statement_descriptor_suffix', { max: 22 }) ?? null;
    const transferGroup = readString(params, 'transfer_group') ?? null;
    readHash(params, 'payment_method_options');
    const metadata = readMetadata(params) ?? {};
    const id = newId('pi_3', 'payment_intent');
    store.payment_intent.set(id, {
      id,
      object: 'payment_intent',
      allowed_payment_method_types: methods.allowed,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: methods.automatic,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: captureMethod,
      client_secret: `${id}_secret_${randomText(25)}`,
      confirmation_method: 'automatic',
      created: nowSeconds(),
      currency,
      customer: null,
      customer_account: null,
      description,
      excluded_payment_method_types: methods.excluded,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: null,
      metadata,
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: null,
      payment_method_types: methods.types,
      payment_record: null,
      processing: null,
      receipt_email: receiptEmail,
      review: null,
      setup_future_usage: null,
      shipping: null,
      source: null,
      statement_descriptor: descriptor,
      statement_descriptor_suffix: descriptorSuffix,
      status: 'requires_payment_method',
      transfer_group: transferGroup,
    });
    emit(context, 'payment_intent.created', 'payment_intent', id);
    return render('payment_intent', id) ?? {};
  };

  const retrieve =
    (kind: Kind, param: string) =>
    (context: Context, [id = '']: string[]): Obj => {
      allowOnly(context.params, ['expand']);
      const found = render(kind, id);
      if (!found) throw missing(kind, id, param);
      return found;
    };

  const CANCELABLE: readonly string[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
  const cancelIntent = (context: Context, [id = '']: string[]): Obj => {
    const { params } = context;
    allowOnly(params, ['cancellation_reason', 'expand']);
    const reason = readString(params, 'cancellation_reason', { oneOf: ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] }) ?? null;
    const intent = intentOr404(id);
    if (!CANCELABLE.includes(intent.status)) {
      throw refused(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: render('payment_intent', id) ?? undefined },
      );
    }
    // An authorised, uncaptured charge is released: Stripe shows it as refunded.
    const charge = intent.status === 'requires_capture' && intent.latest_charge ? store.charge.get(intent.latest_charge) : undefined;
    if (charge) {
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
    }
    Object.assign(intent, { status: 'canceled', canceled_at: nowSeconds(), cancellation_reason: reason, amount_capturable: 0 } satisfies Partial<PaymentIntent>);
    if (charge) emit(context, 'charge.refunded', 'charge', charge.id);
    emit(context, 'payment_intent.canceled', 'payment_intent', id);
    return render('payment_intent', id) ?? {};
  };

  const captureIntent = (context: Context, [id = '']: string[]): Obj => {
    const { params } = context;
    allowOnly(params, ['amount_to_capture', 'metadata', 'description', 'expand']);
    const amountToCapture = readInteger(params, 'amount_to_capture', { min: 1 });
    const metadata = readMetadata(params);
    const description = readString(params, 'description', { max: 1000 });
    const intent = intentOr404(id);
    const charge = intent.latest_charge ? store.charge.get(intent.latest_charge) : undefined;
    if (intent.status !== 'requires_capture' || !charge) {
      throw refused(
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        { code: 'payment_intent_unexpected_state', payment_intent: render('payment_intent', id) ?? undefined },
      );
    }
    const amount = amountToCapture ?? intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      throw refused(`The amount_to_capture (${amount}) must be less than or equal to the amount_capturable (${intent.amount_capturable}).`, {
        param: 'amount_to_capture',
        code: 'amount_too_large',
      });
    }
    if (metadata) intent.metadata = { ...intent.metadata, ...metadata };
    if (description !== undefined) intent.description = description;
    // The uncaptured rest of the authorisation is released, shown as refunded on the charge.
    Object.assign(charge, { captured: true, amount_captured: amount, amount_refunded: charge.amount - amount } satisfies Partial<Charge>);
    Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 } satisfies Partial<PaymentIntent>);
    emit(context, 'charge.captured', 'charge', charge.id);
    emit(context, 'payment_intent.succeeded', 'payment_intent', id);
    return render('payment_intent', id) ?? {};
  };

  const listReaders = (context: Context): Obj => {
    const { params } = context;
    allowOnly(params, ['limit', 'starting_after', 'ending_before', 'status', 'device_type', 'location', 'serial_number', 'expand']);
    const limit = readInteger(params, 'limit', { min: 1 }) ?? 10;
    if (limit > 100) throw invalidParam('limit', 'This value must be less than or equal to 100.', 'parameter_invalid_integer');
    const status = readString(params, 'status', { oneOf: ['online', 'offline'] });
    const deviceType = readString(params, 'device_type');
    const location = readString(params, 'location');
    const serial = readString(params, 'serial_number');
    const after = readString(params, 'starting_after');
    const before = readString(params, 'ending_before');
    let all = [...store['terminal.reader'].values()].filter(
      (reader) =>
        (!status || reader.status === status) &&
        (!deviceType || reader.device_type === deviceType) &&
        // No reader has a location here.
        !location &&
        (!serial || reader.serial_number === serial),
    );
    const cursor = after ?? before;
    if (cursor !== undefined) {
      const index = all.findIndex((reader) => reader.id === cursor);
      if (index === -1) throw missing('terminal.reader', cursor, after ? 'starting_after' : 'ending_before', 400);
      all = after ? all.slice(index + 1) : all.slice(0, index);
    }
    const page = before ? all.slice(Math.max(0, all.length - limit)) : all.slice(0, limit);
    return {
      object: 'list',
      data: page.map((reader) => render('terminal.reader', reader.id)),
      has_more: page.length < all.length,
      url: '/v1/terminal/readers',
    };
  };

  const processPaymentIntent = (context: Context, [readerId = '']: string[]): Obj => {
    const { params } = context;
    allowOnly(params, ['payment_intent', 'process_config', 'expand']);
    const intentId = readString(params, 'payment_intent', { required: true }) ?? '';
    // Accepted (skip_tipping, enable_customer_cancellation, …) but not acted on: the simulated reader shows nothing.
    readHash(params, 'process_config');
    const reader = readerOr404(readerId);
    const intent = intentOr404(intentId, 'payment_intent', 400);
    if (reader.status === 'offline') throw readerOffline();
    if (reader.action?.status === 'in_progress') {
      throw refused(
        'Reader is currently busy processing another request. Please reference the integration guide at https://stripe.com/docs/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven#handle-errors for details on how to handle this error.',
        { code: 'terminal_reader_busy' },
      );
    }
    if (intent.status !== 'requires_payment_method') {
      throw refused(
        `This PaymentIntent's status is ${intent.status}, but it must be requires_payment_method to be processed by a reader.`,
        { code: 'payment_intent_unexpected_state', param: 'payment_intent', payment_intent: render('payment_intent', intentId) ?? undefined },
      );
    }
    if (!intent.payment_method_types.includes('card_present')) {
      throw refused(`The PaymentIntent ${intentId} does not include card_present in its payment_method_types, so a reader cannot process it.`, {
        param: 'payment_intent',
      });
    }
    reader.action = {
      type: 'process_payment_intent',
      status: 'in_progress',
      failure_code: null,
      failure_message: null,
      api_error: null,
      process_payment_intent: { payment_intent: intentId },
    };
    return render('terminal.reader', readerId) ?? {};
  };

  const cancelAction = (context: Context, [readerId = '']: string[]): Obj => {
    allowOnly(context.params, ['expand']);
    const reader = readerOr404(readerId);
    if (reader.status === 'offline') throw readerOffline();
    if (reader.action?.status === 'in_progress') reader.action = null;
    return render('terminal.reader', readerId) ?? {};
  };

  const presentPaymentMethod = (context: Context, [readerId = '']: string[]): Obj => {
    const { params } = context;
    allowOnly(params, ['type', 'card_present', 'interac_present', 'card', 'amount_tip', 'expand']);
    const type = readString(params, 'type', { oneOf: ['card', 'card_present', 'interac_present'] }) ?? 'card_present';
    if (type !== 'card_present' || params.interac_present !== undefined || params.card !== undefined) {
      throw invalidParam('type', 'This simulator presents card_present payment methods only; card and interac_present are not supported.');
    }
    readInteger(params, 'amount_tip', { min: 0 });
    const cardParams = readHash(params, 'card_present') ?? {};
    allowOnly(cardParams, ['number'], 'card_present');
    const number = readString(cardParams, 'number', { label: 'card_present[number]' }) ?? '4242424242424242';
    if (!/^\d{12,19}$/.test(number)) throw invalidParam('card_present[number]', 'Invalid card number: it must be 12 to 19 digits.');
    const reader = readerOr404(readerId);
    const action = reader.action;
    if (action?.status !== 'in_progress') {
      throw refused(`Reader ${readerId} has no in-progress action to present a payment method to. Start one with process_payment_intent first.`);
    }
    const intentId = action.process_payment_intent.payment_intent;
    const intent = store.payment_intent.get(intentId);
    const fail = (code: string, message: string, apiError: Obj | null): void => {
      Object.assign(action, { status: 'failed', failure_code: code, failure_message: message, api_error: apiError } satisfies Partial<ReaderAction>);
    };
    if (!intent || intent.status !== 'requires_payment_method') {
      fail('payment_intent_unexpected_state', `The PaymentIntent ${intentId} has a status of ${intent?.status ?? 'missing'}, so the reader cannot process it.`, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent's status is ${intent?.status ?? 'missing'}, but it must be requires_payment_method to be processed by a reader.`,
      });
      emit(context, 'terminal.reader.action_failed', 'terminal.reader', readerId);
      return render('terminal.reader', readerId) ?? {};
    }
    const card = cardFor(number);
    const created = nowSeconds();
    const expYear = clock().getUTCFullYear() + 3;
    const paymentMethod = newId('pm_1', null);
    const decline = card.decline;
    const chargeId = decline?.code === 'incorrect_number' ? null : newId('ch_3', 'charge');
    if (chargeId) {
      const manual = intent.capture_method === 'manual';
      const captured = !decline && !manual;
      store.charge.set(chargeId, {
        id: chargeId,
        object: 'charge',
        amount: intent.amount,
        amount_captured: captured ? intent.amount : 0,
        amount_refunded: 0,
        captured,
        created,
        currency: intent.currency,
        description: intent.description,
        failure_code: decline?.code ?? null,
        failure_message: decline?.message ?? null,
        livemode: false,
        metadata: { ...intent.metadata },
        outcome: decline
          ? { network_status: 'declined_by_network', reason: decline.declineCode, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' }
          : { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
        paid: !decline,
        payment_intent: intentId,
        payment_method: paymentMethod,
        payment_method_details: {
          type: 'card_present',
          card_present: {
            brand: card.brand,
            country: 'US',
            exp_month: 12,
            exp_year: expYear,
            funding: card.funding,
            last4: number.slice(-4),
            network: card.brand,
            read_method: 'contactless_emv',
          },
        },
        refunded: false,
        status: decline ? 'failed' : 'succeeded',
      });
    }
    if (decline) {
      const error: Obj = {
        type: 'card_error',
        code: decline.code,
        ...(decline.declineCode ? { decline_code: decline.declineCode } : {}),
        doc_url: docUrl(decline.code),
        message: decline.message,
        ...(chargeId ? { charge: chargeId } : {}),
      };
      Object.assign(intent, { last_payment_error: error, ...(chargeId ? { latest_charge: chargeId } : {}) } satisfies Partial<PaymentIntent>);
      fail(decline.code, decline.message, error);
      if (chargeId) emit(context, 'charge.failed', 'charge', chargeId);
      emit(context, 'payment_intent.payment_failed', 'payment_intent', intentId);
      emit(context, 'terminal.reader.action_failed', 'terminal.reader', readerId);
      return render('terminal.reader', readerId) ?? {};
    }
    const manual = intent.capture_method === 'manual';
    Object.assign(intent, {
      status: manual ? 'requires_capture' : 'succeeded',
      amount_received: manual ? 0 : intent.amount,
      amount_capturable: manual ? intent.amount : 0,
      latest_charge: chargeId,
      last_payment_error: null,
      payment_method: paymentMethod,
    } satisfies Partial<PaymentIntent>);
    action.status = 'succeeded';
    if (chargeId) emit(context, 'charge.succeeded', 'charge', chargeId);
    emit(context, manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', 'payment_intent', intentId);
    emit(context, 'terminal.reader.action_succeeded', 'terminal.reader', readerId);
    return render('terminal.reader', readerId) ?? {};
  };

  const createRefund = (context: Context): Obj => {
    const { params } = context;
    allowOnly(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand', 'instructions_email', 'refund_application_fee', 'reverse_transfer']);
    const intentId = readString(params, 'payment_intent');
    const chargeParam = readString(params, 'charge');
    const requested = readInteger(params, 'amount', { min: 1 });
    const reason = readString(params, 'reason', { oneOf: ['duplicate', 'fraudulent', 'requested_by_customer'] }) ?? null;
    const metadata = readMetadata(params) ?? {};
    if (!intentId && !chargeParam) {
      throw invalidParam('payment_intent', 'One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing');
    }
    let charge: Charge | undefined;
    if (intentId) {
      const intent = intentOr404(intentId, 'payment_intent', 400);
      charge = intent.status === 'succeeded' && intent.latest_charge ? store.charge.get(intent.latest_charge) : undefined;
      if (!charge) {
        throw refused(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, { param: 'payment_intent', payment_intent: render('payment_intent', intentId) ?? undefined });
      }
      if (chargeParam && chargeParam !== charge.id) throw refused(`The charge ${chargeParam} does not belong to the PaymentIntent ${intentId}.`, { param: 'charge' });
    } else if (chargeParam) {
      charge = store.charge.get(chargeParam);
      if (!charge) throw missing('charge', chargeParam, 'charge', 400);
    }
    if (!charge) throw invalidParam('charge', 'Missing required param: charge.', 'parameter_missing');
    if (charge.status !== 'succeeded') throw refused(`Charge ${charge.id} has failed and cannot be refunded.`, { param: 'charge' });
    if (!charge.captured) {
      throw refused(`Charge ${charge.id} has not been captured; cancel its PaymentIntent to release the authorization instead.`, { param: 'charge' });
    }
    const left = charge.amount_captured - charge.amount_refunded;
    if (left <= 0) throw refused(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = requested ?? left;
    if (amount > left) {
      const limit = charge.amount_refunded === 0 ? `charge amount (${formatMoney(left, charge.currency)})` : `unrefunded amount on charge (${formatMoney(left, charge.currency)})`;
      throw refused(`Refund amount (${formatMoney(amount, charge.currency)}) is greater than ${limit}`, { param: 'amount' });
    }
    const id = newId('re_3', 'refund');
    store.refund.set(id, {
      id,
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      metadata,
      payment_intent: charge.payment_intent,
      reason,
      status: 'succeeded',
    });
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    emit(context, 'refund.created', 'refund', id);
    emit(context, 'charge.refunded', 'charge', charge.id);
    return render('refund', id) ?? {};
  };

  const routes: Route[] = [
    { method: 'POST', path: ['v1', 'payment_intents'], shape: { kind: 'payment_intent' }, run: createIntent },
    { method: 'GET', path: ['v1', 'payment_intents', ':id'], shape: { kind: 'payment_intent' }, run: retrieve('payment_intent', 'intent') },
    { method: 'POST', path: ['v1', 'payment_intents', ':id', 'cancel'], shape: { kind: 'payment_intent' }, run: cancelIntent },
    { method: 'POST', path: ['v1', 'payment_intents', ':id', 'capture'], shape: { kind: 'payment_intent' }, run: captureIntent },
    { method: 'GET', path: ['v1', 'terminal', 'readers'], shape: { list: 'terminal.reader' }, run: listReaders },
    { method: 'GET', path: ['v1', 'terminal', 'readers', ':id'], shape: { kind: 'terminal.reader' }, run: retrieve('terminal.reader', 'reader') },
    { method: 'POST', path: ['v1', 'terminal', 'readers', ':id', 'process_payment_intent'], shape: { kind: 'terminal.reader' }, run: processPaymentIntent },
    { method: 'POST', path: ['v1', 'terminal', 'readers', ':id', 'cancel_action'], shape: { kind: 'terminal.reader' }, run: cancelAction },
    {
      method: 'POST',
      path: ['v1', 'test_helpers', 'terminal', 'readers', ':id', 'present_payment_method'],
      shape: { kind: 'terminal.reader' },
      run: presentPaymentMethod,
    },
    { method: 'GET', path: ['v1', 'charges', ':id'], shape: { kind: 'charge' }, run: retrieve('charge', 'id') },
    { method: 'POST', path: ['v1', 'refunds'], shape: { kind: 'refund' }, run: createRefund },
    { method: 'GET', path: ['v1', 'refunds', ':id'], shape: { kind: 'refund' }, run: retrieve('refund', 'id') },
    { method: 'GET', path: ['v1', 'events', ':id'], shape: { kind: 'event' }, run: retrieve('event', 'id') },
  ];

  const findRoute = (method: string, path: string): { route: Route; ids: string[] } | null => {
    let segments: string[];
    try {
      segments = path.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return null;
    }
    for (const route of routes) {
      if (route.method !== method || route.path.length !== segments.length) continue;
      const ids: string[] = [];
      const matches = route.path.every((part, i) => {
        const segment = segments[i] ?? '';
        if (part === ':id') {
          ids.push(segment);
          return segment !== '';
        }
        return part === segment;
      });
      if (matches) return { route, ids };
    }
    return null;
  };

  // ---- HTTP ----

  const send = (response: ServerResponse, status: number, body: string, headers: Record<string, string>): void => {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-cache, no-store',
      ...headers,
    });
    response.end(body);
  };

  const errorJson = (failure: StripeFailure): string => JSON.stringify({ error: failure.body }, null, 2);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = `req_${randomText(14)}`;
    const method = request.method ?? 'GET';
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const idempotencyKey = method === 'POST' ? headerValue(request, 'idempotency-key') : undefined;
    const apiVersion = headerValue(request, 'stripe-version') ?? DEFAULT_API_VERSION;
    const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': apiVersion, ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) };
    const answer = (status: number, body: string, extra: Record<string, string> = {}): void => send(response, status, body, { ...headers, ...extra });
    const fail = (failure: StripeFailure, extra: Record<string, string> = {}): void => answer(failure.status, errorJson(failure), extra);

    const body = await readBody(request);
    const entry: FakeStripeApi['requests'][number] = { method, path, idempotencyKey, params: {} };
    requests.push(entry);
    if (body === null) {
      fail(new StripeFailure(400, { type: 'invalid_request_error', message: `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.` }, false), { Connection: 'close' });
      return;
    }

    const authorization = headerValue(request, 'authorization') ?? '';
    let key: string | null = null;
    if (/^bearer /i.test(authorization)) key = authorization.slice(7).trim();
    else if (/^basic /i.test(authorization)) key = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8').split(':')[0] ?? '';
    if (!key) {
      const failure = new StripeFailure(401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
      fail(failure, { 'WWW-Authenticate': 'Basic realm="Stripe"' });
      return;
    }
    if (key !== options.apiKey) {
      fail(new StripeFailure(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${redactKey(key)}` }), {
        'WWW-Authenticate': 'Basic realm="Stripe"',
      });
      return;
    }

    const found = findRoute(method, path);
    if (!found) {
      fail(
        new StripeFailure(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path.slice(0, 200)}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        }),
      );
      return;
    }

    let params: Obj;
    try {
      let text = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
      if (method === 'POST' && body.length > 0) {
        const contentType = (headerValue(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        if (contentType !== '' && contentType !== 'application/x-www-form-urlencoded') {
          throw new FormError(`the body must be form-encoded (Content-Type: application/x-www-form-urlencoded), not ${contentType.slice(0, 60)}`);
        }
        const form = new TextDecoder('utf-8', { fatal: true }).decode(body);
        text = text === '' ? form : `${text}&${form}`;
      }
      params = parseForm(text);
    } catch (error) {
      const reason = error instanceof FormError ? error.message : 'the body is not valid UTF-8';
      fail(new StripeFailure(400, { type: 'invalid_request_error', message: `Invalid request: unable to parse the request parameters (${reason}).` }, false));
      return;
    }
    entry.params = params;

    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length > 255) {
        fail(
          new StripeFailure(400, { type: 'idempotency_error', message: `Invalid Idempotency-Key: keys can be at most 255 characters long, but this one has ${idempotencyKey.length}.` }, false),
        );
        return;
      }
      const now = clock().getTime();
      for (const [savedKey, savedResponse] of saved) if (now - savedResponse.at > IDEMPOTENCY_TTL_MS) saved.delete(savedKey);
      const previous = saved.get(idempotencyKey);
      if (previous) {
        const idempotencyError = (message: string): StripeFailure => new StripeFailure(400, { type: 'idempotency_error', message }, false);
        if (previous.method !== method || previous.path !== path) {
          fail(
            idempotencyError(
              `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${previous.method} ${previous.path}' vs '${method} ${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            ),
          );
        } else if (previous.fingerprint !== stableStringify(params)) {
          fail(
            idempotencyError(
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            ),
          );
        } else {
          answer(previous.status, previous.body, { 'Idempotent-Replayed': 'true', 'Original-Request': previous.requestId });
        }
        return;
      }
    }

    const context: Context = { params, requestId, idempotencyKey, apiVersion };
    let status: number;
    let json: string;
    let save: boolean;
    try {
      const expand = readStringArray(params, 'expand') ?? [];
      for (const expandPath of expand) checkExpand(found.route.shape, expandPath);
      const result = found.route.run(context, found.ids);
      applyExpand(result, found.route.shape, expand);
      status = 200;
      json = JSON.stringify(result, null, 2);
      save = true;
    } catch (error) {
      if (!(error instanceof StripeFailure)) throw error;
      status = error.status;
      json = errorJson(error);
      save = error.saved;
    }
    if (idempotencyKey !== undefined && save) {
      saved.set(idempotencyKey, { method, path, fingerprint: stableStringify(params), status, body: json, requestId, at: clock().getTime() });
    }
    answer(status, json);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (request.destroyed || response.headersSent) return;
      const message = error instanceof Error ? error.message : String(error);
      send(response, 500, JSON.stringify({ error: { type: 'api_error', message: `An unknown error occurred in the fake Stripe API: ${message}` } }, null, 2), {});
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | null = null;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    requests,
    deliveries,
    settled: async () => {
      // Deliveries queued while waiting are waited for too.
      let seen: Promise<void> | null = null;
      while (seen !== deliveryChain) {
        seen = deliveryChain;
        await seen;
      }
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort(new Error('the fake Stripe API closed'));
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => deliveryChain);
      return closed;
    },
  };
}
