// Charging a card on the school's Stripe card reader, between the cashier pressing "Take payment"
// and the payment being recorded. The payment's id is chosen first and the charge is made under it
// (so a repeated request charges once); the receipt number is only taken once the card is
// approved, so a declined or cancelled card leaves no gap in the desk's series. The attempt is
// kept in this browser until it ends: a desk closed while a card was approved records the payment
// when it opens again (recoverCardAttempt).
import { useEffect, useRef, useState } from 'react';
import { formatMoney, type Allocation, type CardPaymentStatus, type CardReader, type CardSetup, type PaymentParticulars, type TestCardOutcome } from '@feemaster/core';
import { ApiError } from '../api/client.ts';
import type { CardApi } from '../api/card-api.ts';

/** A card charge under way: what the payment will be once the card is approved. */
export interface CardAttempt {
  paymentId: string;
  payerId: string;
  currency: string;
  readerId: string;
  particulars: PaymentParticulars;
  allocations: readonly Allocation[];
}

const attemptKey = (deviceId: string): string => `feemaster.card-attempt.${deviceId}`;

export function saveCardAttempt(deviceId: string, attempt: CardAttempt): void {
  window.localStorage.setItem(attemptKey(deviceId), JSON.stringify(attempt));
}

export function loadCardAttempt(deviceId: string): CardAttempt | null {
  const text = window.localStorage.getItem(attemptKey(deviceId));
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as Partial<CardAttempt>;
    return typeof parsed.paymentId === 'string' && typeof parsed.payerId === 'string' && parsed.particulars && Array.isArray(parsed.allocations) ? (parsed as CardAttempt) : null;
  } catch {
    return null;
  }
}

export function clearCardAttempt(deviceId: string, paymentId: string): void {
  if (loadCardAttempt(deviceId)?.paymentId === paymentId) window.localStorage.removeItem(attemptKey(deviceId));
}

/** What the server says about card payments while the desk is online; null while unknown or offline. */
export function useCardSetup(api: CardApi, online: boolean): CardSetup | null {
  const [setup, setSetup] = useState<CardSetup | null>(null);
  useEffect(() => {
    if (!online) return;
    let live = true;
    api.setup().then(
      (found) => live && setSetup(found),
      (error: unknown) => live && setSetup({ available: false, simulated: false, reason: error instanceof Error ? error.message : String(error), readers: [] }),
    );
    return () => {
      live = false;
    };
  }, [api, online]);
  // Offline, what was learnt online no longer holds; it is asked again when the connection is back.
  return online ? setup : null;
}

const READER_KEY = 'feemaster.card-reader';

/** The reader this desk used last, if the school still has it; else the first online one. */
export function preferredReader(readers: readonly CardReader[]): string {
  const last = window.localStorage.getItem(READER_KEY);
  return readers.find((r) => r.id === last)?.id ?? readers.find((r) => r.online)?.id ?? readers[0]?.id ?? '';
}

export function rememberReader(readerId: string): void {
  window.localStorage.setItem(READER_KEY, readerId);
}

const POLL_MS = 1_000;

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface CardChargeProps {
  api: CardApi;
  deviceId: string;
  attempt: CardAttempt;
  reader: CardReader | undefined;
  /** The card was approved: record the payment (its reference is the Stripe PaymentIntent). */
  onApproved: (status: CardPaymentStatus) => Promise<void>;
  /** The charge ended with nothing taken. */
  onEnded: () => void;
}

export function CardCharge({ api, deviceId, attempt, reader, onApproved, onEnded }: CardChargeProps) {
  const [status, setStatus] = useState<CardPaymentStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const recorded = useRef(false);
  const amount = formatMoney(attempt.particulars.amount, attempt.currency);

  const follow = async (next: Promise<CardPaymentStatus>): Promise<void> => {
    setBusy(true);
    try {
      const found = await next;
      setProblem(null);
      setStatus(found);
      if (found.status === 'succeeded' && !recorded.current) {
        recorded.current = true;
        await onApproved(found);
        clearCardAttempt(deviceId, attempt.paymentId);
      } else if (found.status === 'canceled') {
        clearCardAttempt(deviceId, attempt.paymentId);
        onEnded();
      }
    } catch (error) {
      setProblem(describe(error));
    } finally {
      setBusy(false);
    }
  };

  const start = (): Promise<void> =>
    follow(api.start({ paymentId: attempt.paymentId, payerId: attempt.payerId, amount: attempt.particulars.amount, currency: attempt.currency, readerId: attempt.readerId }));

  // The charge starts once; kept in this browser first, so an approved card is never lost.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    saveCardAttempt(deviceId, attempt);
    void start();
  });

  // While the reader waits for the card, ask how it stands every second.
  const waiting = status?.status === 'waiting';
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => {
      if (!busy) void follow(api.status(attempt.paymentId));
    }, POLL_MS);
    return () => window.clearInterval(timer);
  });

  const cancel = (): void => {
    if (!status) {
      clearCardAttempt(deviceId, attempt.paymentId);
      onEnded();
      return;
    }
    void follow(api.cancel(attempt.paymentId));
  };
  const tap = (outcome: TestCardOutcome): void => void follow(api.testCard(attempt.paymentId, outcome));

  return (
    <section className="card-charge" aria-label="Card payment" data-testid="card-charge" aria-busy={busy}>
      {status?.simulated && <p className="notice simulated" role="note">Simulated card reader: no money moves. Set STRIPE_SECRET_KEY on the server to take real cards.</p>}
      <p>
        <strong>{amount}</strong> by card on <strong>{reader?.label ?? attempt.readerId}</strong>
      </p>
      {!status && !problem && <p className="muted" role="status">Sending the amount to the reader…</p>}
      {waiting && <p role="status" data-testid="card-waiting">Ask the payer to tap, insert or swipe their card on the reader.</p>}
      {status?.status === 'succeeded' && <p role="status">Approved{status.card ? `: ${status.card.brand} ending ${status.card.last4}` : ''}. Recording the payment…</p>}
      {status?.status === 'failed' && <p className="error" role="alert" data-testid="card-failed">{status.message}</p>}
      {problem && <p className="error" role="alert">{problem}</p>}
      <div className="actions">
        {waiting && reader?.simulated && (
          <>
            <button type="button" onClick={() => tap('approved')} disabled={busy}>Tap test card (approved)</button>
            <button type="button" onClick={() => tap('declined')} disabled={busy}>Tap test card (declined)</button>
            <button type="button" onClick={() => tap('insufficientFunds')} disabled={busy}>Tap test card (insufficient funds)</button>
          </>
        )}
        {(status?.status === 'failed' || (problem && !waiting)) && (
          <button type="button" onClick={() => void (status ? start() : follow(api.status(attempt.paymentId)))} disabled={busy}>Try the card again</button>
        )}
        {problem && waiting && <button type="button" onClick={() => void follow(api.status(attempt.paymentId))} disabled={busy}>Check again</button>}
        {status?.status !== 'succeeded' && <button type="button" className="secondary" onClick={cancel} disabled={busy}>Cancel card payment</button>}
      </div>
    </section>
  );
}

/**
 * A card attempt left in this browser (the desk closed or lost its connection mid-charge): an
 * approved card is recorded now; one still waiting or declined is cancelled; null when none was left.
 */
export async function recoverCardAttempt(api: CardApi, deviceId: string, record: (attempt: CardAttempt, status: CardPaymentStatus) => Promise<string>): Promise<string | null> {
  const attempt = loadCardAttempt(deviceId);
  if (!attempt) return null;
  let status: CardPaymentStatus;
  try {
    status = await api.status(attempt.paymentId);
  } catch (error) {
    // Never reached the server: nothing was charged.
    if (error instanceof ApiError && error.code === 'not-found') {
      clearCardAttempt(deviceId, attempt.paymentId);
      return null;
    }
    throw error;
  }
  if (status.status === 'waiting' || status.status === 'failed') status = await api.cancel(attempt.paymentId);
  if (status.status === 'succeeded') {
    const said = await record(attempt, status);
    clearCardAttempt(deviceId, attempt.paymentId);
    return said;
  }
  clearCardAttempt(deviceId, attempt.paymentId);
  return `A card payment of ${formatMoney(attempt.particulars.amount, attempt.currency)} left unfinished was cancelled; nothing was taken from the card.`;
}
