// The cashier's screen: open the till, find a family, take a payment, print the receipt, void,
// refund an earlier till's payment, close the till with its Z-report. Everything reads and writes the desk's replica, so it works
// the same with the internet down.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { map, type Observable } from 'rxjs';
import {
  MoneyError,
  closingLines,
  formatMoney,
  cellPhone,
  chargedParticulars,
  countryOfCurrency,
  methodNames,
  newId,
  parseMoney,
  replicatedCollections,
  type CashSessionOpenDoc,
  type FoundPerson,
  type Payer,
  type PaymentDoc,
  type LedgerEntry,
  type PayerAccount,
  type PaymentMethod,
  type RefundDoc,
  type TillSummary,
  type CardSetup,
} from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { useObservable } from '../components/use-observable.ts';
import { deskIdentity$, familyAccount$, openTill, openTill$, prepareReceiptSeries, refundCreditAtDesk, refundPaymentAtDesk, takePayment, tillHolder$, tillSummary$, type DeskIdentity, type IdentityResult } from './cashier-data.ts';
import { RefundForm, type RefundSubject } from './refund-form.tsx';
import { FindBox } from './find-box.tsx';
import { PaymentForm } from './payment-form.tsx';
import { printReceipt, printZReport, zReportOf, type PrintChoice } from './print.ts';
import { TillPanel, type ClosedTill } from './till-panel.tsx';
import { StatementPanel } from './statement-panel.tsx';
import { people$, type StudentSummary } from './people-index.ts';
import { VoidRegisterPanel } from './void-register-panel.tsx';
import { endTimingAfterPaint, markDeskReady } from '../components/timings.ts';
import { createCardApi, type CardApi } from '../api/card-api.ts';
import { recoverCardAttempt, useCardSetup } from './card-charge.tsx';

/** Methods that need a provider the school has connected: the card reader, when the server offers it (PayPal waits for its integration). */
function connectedProviders(setup: CardSetup | null): ReadonlySet<PaymentMethod> {
  return new Set<PaymentMethod>(setup?.available ? ['card'] : []);
}

export function CashierScreen({ desk }: { desk: Desk }) {
  const identity$ = useMemo(() => deskIdentity$(desk), [desk]);
  const identity = useObservable<IdentityResult | null>(identity$, null);
  if (!identity) return <section className="cashier"><p className="muted">Opening the till…</p></section>;
  if (!identity.ok) return <section className="cashier"><p className="notice" role="alert">{identity.problem}</p></section>;
  return <Cashier desk={desk} identity={identity.identity} />;
}

function Cashier({ desk, identity }: { desk: Desk; identity: DeskIdentity }) {
  const till$ = useMemo(() => openTill$(desk.db, identity.deviceId), [desk, identity.deviceId]);
  const till = useObservable(till$, undefined);
  const summary$ = useMemo(() => (till ? tillSummary$(desk.db, till) : null), [desk, till]);
  const [closed, setClosed] = useState<ClosedTill | null>(null);
  const [showVoids, setShowVoids] = useState(false);
  if (till === undefined) return <section className="cashier"><p className="muted">Opening the till…</p></section>;
  return (
    <section className="cashier">
      <div className="cashier-tools">
        <button type="button" className="link" aria-expanded={showVoids} onClick={() => setShowVoids(!showVoids)}>Void register</button>
      </div>
      {showVoids && <VoidRegisterPanel desk={desk} onClose={() => setShowVoids(false)} />}
      {closed && <ClosedTillPanel desk={desk} identity={identity} closed={closed} onDismiss={() => setClosed(null)} />}
      {till === null || summary$ === null ? (
        <OpenTillForm desk={desk} identity={identity} onOpened={() => setClosed(null)} />
      ) : (
        <div className="cashier-layout">
          <Counter desk={desk} identity={identity} till={till} summary$={summary$} />
          <TillPanel desk={desk} identity={identity} opening={till} summary$={summary$} onReprint={(payment) => void printReceipt(desk, payment, identity.series, { layout: '80mm', copy: true })} onClosed={setClosed} />
        </div>
      )}
    </section>
  );
}

/** The float typed at opening: 0 when left empty, null when it is not an amount. */
function floatAmount(text: string, currency: string): number | null {
  if (text.trim() === '') return 0;
  try {
    return parseMoney(text, currency);
  } catch (caught) {
    if (caught instanceof MoneyError) return null;
    throw caught;
  }
}

function OpenTillForm({ desk, identity, onOpened }: { desk: Desk; identity: DeskIdentity; onOpened: () => void }) {
  const [float, setFloat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const currency = desk.session.school.currency;
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const amount = floatAmount(float, currency);
    if (amount === null) {
      setError(`“${float}” is not an amount in ${currency}. Enter the cash in the drawer, or 0.`);
      return;
    }
    if (amount < 0) {
      setError('The float cannot be below zero.');
      return;
    }
    await openTill(desk, identity, amount);
    onOpened();
  };
  return (
    <form className="card narrow-form" aria-label="Open the till" onSubmit={(e) => void submit(e)}>
      <h2>Open the till</h2>
      <p className="muted">Desk {identity.series}. Payments are taken in an open till; count the cash in the drawer first.</p>
      <label>Float: cash in the drawer ({currency})<input value={float} onChange={(e) => setFloat(e.target.value)} inputMode="decimal" autoFocus placeholder="0" /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit">Open till</button>
    </form>
  );
}

/** Finding a family and taking their payment. */
function Counter({ desk, identity, till, summary$ }: { desk: Desk; identity: DeskIdentity; till: CashSessionOpenDoc; summary$: Observable<TillSummary> }) {
  // Where the receipt series stands, read once while the cashier is still searching.
  useEffect(() => {
    prepareReceiptSeries(desk.db, identity).catch((error: unknown) => console.warn('The receipt series could not be read ahead:', error));
  }, [desk.db, identity]);
  const everyone$ = useMemo(() => people$(desk.db), [desk.db]);
  const people = useObservable(everyone$, null);
  const holdsTill = useObservable(useMemo(() => tillHolder$(identity.series), [identity.series]), false);
  useEffect(() => {
    if (people) markDeskReady();
  }, [people]);
  const online = useObservable(useMemo(() => desk.status.status$.pipe(map((s) => s.server === 'connected')), [desk]), false);
  const [chosen, setChosen] = useState<{ payerId: string } | { studentId: string } | null>(null);
  const [taken, setTaken] = useState<PaymentDoc | null>(null);
  const findRef = useRef<HTMLInputElement>(null);
  const cardApi = useMemo(() => createCardApi(desk.session.serverUrl, desk.tokens), [desk]);
  const cardSetup = useCardSetup(cardApi, online);
  const [recovered, setRecovered] = useState<string | null>(null);
  // A card charge this desk left unfinished (closed, or the connection lost mid-charge): an
  // approved card is recorded now, in this till, under the id it was charged with.
  useEffect(() => {
    if (!online || !holdsTill) return;
    recoverCardAttempt(cardApi, identity.deviceId, async (attempt, status) => {
      const money = formatMoney(attempt.particulars.amount, attempt.currency);
      const stored = await desk.db.ledger.findOne(attempt.paymentId).exec();
      if (stored) return `The card payment of ${money} approved before the desk closed is recorded already.`;
      const payment = await takePayment(
        desk,
        identity,
        { payerId: attempt.payerId, cashSessionId: till.id, offline: false, particulars: chargedParticulars(attempt.particulars, status), allocations: [...attempt.allocations] },
        { holdsTill, id: attempt.paymentId },
      );
      return `A card payment of ${money} was approved before the desk closed: it is now recorded as receipt ${payment.receiptNumber}.`;
    }).then(
      (said) => said && setRecovered(said),
      (error: unknown) => setRecovered(`A card payment left unfinished could not be checked: ${error instanceof Error ? error.message : String(error)}. The desk tries again when it next opens.`),
    );
  }, [cardApi, online, holdsTill, desk, identity, till.id]);

  if (!people) return <div className="counter"><p className="muted">Reading students and families…</p></div>;
  const payer = chosen && 'payerId' in chosen ? people.payers.find((p) => p.id === chosen.payerId) : undefined;
  const student = chosen && 'studentId' in chosen ? people.students.get(chosen.studentId) : undefined;
  const choose = (person: FoundPerson): void => {
    setTaken(null);
    if (person.kind === 'payer') setChosen({ payerId: person.id });
    else if (person.linked.length === 1 && person.linked[0]) setChosen({ payerId: person.linked[0].id });
    else setChosen({ studentId: person.id });
  };
  const backToSearch = (): void => {
    setChosen(null);
    setTaken(null);
    findRef.current?.focus();
  };

  return (
    <div className="counter">
      <FindBox ref={findRef} index={people.index} onChoose={choose} />
      {recovered && <p className="notice" role="status" data-testid="card-recovered">{recovered}</p>}
      {taken && <TakenPanel desk={desk} identity={identity} payment={taken} onNext={backToSearch} />}
      {!taken && student && (
        <StudentWithoutFamily desk={desk} student={student} payers={people.payers.filter((p) => p.students.some((s) => s.studentId === student.id))} onPayer={(id) => setChosen({ payerId: id })} />
      )}
      {!holdsTill && <p className="notice" role="status" data-testid="till-elsewhere">The till of desk {identity.series} is open in another window of this browser: take payments there, or close it to take them here.</p>}
      {!taken && payer && holdsTill && (
        <FamilyPanel
          key={payer.id}
          desk={desk}
          payer={payer}
          studentName={(id) => {
            const s = people.students.get(id);
            return s ? `${s.firstName} ${s.lastName}` : 'Student';
          }}
          students={payer.students.flatMap((link) => people.students.get(link.studentId) ?? [])}
          online={online}
          identity={identity}
          till={till}
          summary$={summary$}
          card={{ api: cardApi, setup: cardSetup }}
          onTake={async (particulars, allocation, options) => {
            // A card payment was charged online under its id; anything else is offline when the server is out of reach.
            const payment = await takePayment(desk, identity, { payerId: payer.id, cashSessionId: till.id, offline: options ? false : !online, particulars, allocations: allocation.allocations }, { holdsTill, ...(options ? { id: options.id } : {}) });
            setTaken(payment);
          }}
        />
      )}
      {!chosen && !taken && <p className="muted hint-keys">Type a name, admission number or phone number; ↑ ↓ to choose, Enter to open.</p>}
    </div>
  );
}

function FamilyPanel({ desk, payer, students, studentName, online, identity, till, summary$, card, onTake }: {
  desk: Desk;
  payer: Payer;
  students: StudentSummary[];
  studentName: (id: string) => string;
  online: boolean;
  identity: DeskIdentity;
  till: CashSessionOpenDoc;
  summary$: Observable<TillSummary>;
  card: { api: CardApi; setup: CardSetup | null };
  onTake: Parameters<typeof PaymentForm>[0]['onTake'];
}) {
  const account$ = useMemo(() => familyAccount$(desk, payer), [desk, payer]);
  const found = useObservable(account$, null);
  if (!found) return <p className="muted">Reading {payer.name}’s account…</p>;
  return <FamilyAccount desk={desk} payer={payer} students={students} studentName={studentName} online={online} identity={identity} till={till} summary$={summary$} card={card} onTake={onTake} found={found} />;
}

function FamilyAccount({ desk, payer, students, studentName, online, identity, till, summary$, card, onTake, found }: Parameters<typeof FamilyPanel>[0] & { found: { account: PayerAccount; entries: LedgerEntry[] } }) {
  useEffect(() => endTimingAfterPaint('family-open'), []);
  const [showStatement, setShowStatement] = useState(false);
  const [refunding, setRefunding] = useState<RefundSubject | null>(null);
  // What the till holds in cash: a cash refund is paid out of it, never more than is there.
  const cashInTill = useObservable(
    useMemo(() => summary$.pipe(map((summary) => summary.expected.find((line) => line.method === 'cash')?.amount ?? 0)), [summary$]),
    null,
  );
  const [refunded, setRefunded] = useState<RefundDoc | null>(null);
  const [printError, setPrintError] = useState<string | null>(null);
  const reprint = (paymentId: string): void => {
    const doc = found.entries.find((e): e is PaymentDoc => e.type === 'payment' && e.id === paymentId);
    if (!doc) return;
    setPrintError(null);
    printReceipt(desk, doc, identity.series, { layout: '80mm', copy: true }).catch((caught: unknown) => setPrintError(`The receipt could not be printed: ${caught instanceof Error ? caught.message : String(caught)}`));
  };
  const currency = desk.session.school.currency;
  const money = (amount: number): string => formatMoney(amount, currency);
  const { account } = found;
  const owedBy = (studentId: string): number => account.open.filter((c) => c.studentId === studentId).reduce((sum, c) => sum + c.open, 0);
  const phones = payer.contacts.filter((c) => c.type !== 'email').map((c) => c.value);
  return (
    <div className="family" aria-label={`Family ${payer.name}`}>
      <div className="card family-head">
        <h2>{payer.name}</h2>
        {phones.length > 0 && <p className="muted">{phones.join(', ')}</p>}
        <ul className="family-students">
          {students.map((s) => (
            <li key={s.id}>{s.firstName} {s.lastName} <span className="muted">{s.admissionNumber}</span> · owes {money(owedBy(s.id))}</li>
          ))}
        </ul>
        <dl className="family-totals">
          <div><dt>Due now</dt><dd data-testid="due-now">{money(account.dueNow)}</dd></div>
          <div><dt>Due later</dt><dd>{money(account.dueLater)}</dd></div>
          <div><dt>Credit</dt><dd data-testid="credit">{money(account.credit)}</dd></div>
        </dl>
        {account.credit > 0 && (
          <button type="button" className="link" onClick={() => { setRefunding({ kind: 'credit', credit: account.credit }); setRefunded(null); }}>Refund credit…</button>
        )}
        <button type="button" className="link" aria-expanded={showStatement} onClick={() => setShowStatement(!showStatement)}>{showStatement ? 'Hide the statement' : 'Statement'}</button>
        {account.payments.length > 0 && (
          <details className="recent-payments" open={refunding?.kind === 'payment' || refunded?.paymentId !== undefined || undefined}>
            <summary>Recent payments ({account.payments.length})</summary>
            <ul>
              {account.payments.slice(0, 8).map((p) => (
                <li key={p.id} data-testid="recent-payment" data-receipt={p.receiptNumber}>
                  <code>{p.receiptNumber}</code> {money(p.amount)} {p.status !== 'active' && <strong data-testid="payment-status">{p.status.toUpperCase()}</strong>}{' '}
                  <button type="button" className="link" aria-label={`Reprint ${p.receiptNumber}`} onClick={() => reprint(p.id)}>Reprint</button>
                  {/* A payment of the till still open is voided there; an earlier one is refunded. */}
                  {p.status === 'active' && p.cashSessionId !== till.id && (
                    <button type="button" className="link danger" aria-label={`Refund ${p.receiptNumber}`} onClick={() => { setRefunding({ kind: 'payment', payment: p }); setRefunded(null); }}>Refund…</button>
                  )}
                </li>
              ))}
            </ul>
          </details>
        )}
        {refunding && (
          <RefundForm
            desk={desk}
            subject={refunding}
            online={online}
            cashInTill={cashInTill}
            onCancel={() => setRefunding(null)}
            onRefund={async ({ amount, ...request }, approve) => {
              const refund =
                refunding.kind === 'payment'
                  ? await refundPaymentAtDesk(desk, identity, account.state, refunding.payment.id, { ...request, tillId: till.id }, approve)
                  : await refundCreditAtDesk(desk, identity, account.state, payer.id, { ...request, amount: amount ?? 0, tillId: till.id }, approve);
              setRefunding(null);
              setRefunded(refund);
            }}
          />
        )}
        {refunded && (
          <p className="notice" role="status" data-testid="refund-recorded">
            Refunded {money(refunded.amount)} by {methodNames[refunded.method]}{refunded.approval ? ', approved by a manager on this desk' : ''}{refunded.cashSessionId ? ': pay it out of the till' : ''}. It syncs {online ? 'now' : 'when the connection is back'}.
          </p>
        )}
        {printError && <p className="error" role="alert">{printError}</p>}
      </div>
      {showStatement && <StatementPanel desk={desk} payer={payer} entries={found.entries} studentName={studentName} />}
      <PaymentForm account={account} currency={currency} timeZone={desk.session.school.timezone} studentName={studentName} online={online}
        providers={connectedProviders(card.setup)}
        providerReasons={card.setup?.reason ? { card: card.setup.reason } : {}}
        card={card.setup?.available ? { api: card.api, setup: card.setup, deviceId: identity.deviceId, payerId: payer.id } : undefined}
        onTake={onTake}
      />
    </div>
  );
}

/** A student nobody pays for yet, or several payers: choose one, or open a family account on the spot. */
function StudentWithoutFamily({ desk, student, payers, onPayer }: { desk: Desk; student: StudentSummary; payers: Payer[]; onPayer: (id: string) => void }) {
  const [name, setName] = useState(`${student.lastName} family`);
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!name.trim()) {
      setError('Give the family account a name.');
      return;
    }
    // Stored in E.164 (+254712345678), read with the school's country, as the families screen and the import store it.
    const read = phone.trim() ? cellPhone(phone.trim(), countryOfCurrency(desk.session.school.currency) ?? 'US') : null;
    if (read && !read.ok) {
      setError(`${read.problem}. ${read.fix}.`);
      return;
    }
    const number = read?.ok ? read.value : null;
    const now = new Date().toISOString();
    const payer: Payer = {
      id: newId(),
      schoolId: desk.session.school.id,
      kind: 'family',
      name: name.trim(),
      contacts: number ? [{ type: 'phone', value: number }] : [],
      preferredChannel: number ? 'sms' : 'none',
      students: [{ studentId: student.id, share: 10_000 }],
      createdAt: now,
      updatedAt: now,
    };
    const problems = replicatedCollections.payers.validate(payer);
    if (problems.length > 0) {
      setError(problems.map((p) => `${p.path} ${p.message}`).join('; '));
      return;
    }
    desk.pending.payers.mark(payer.id, payer.updatedAt).catch((caught: unknown) => console.warn('The family is saved, but could not be counted as waiting to sync:', caught));
    await desk.db.payers.insert(payer);
    onPayer(payer.id);
  };
  return (
    <div className="card">
      <h2>{student.firstName} {student.lastName} <span className="muted">{student.admissionNumber}</span></h2>
      {payers.length > 0 ? (
        <>
          <p>Who is paying?</p>
          <div className="actions">{payers.map((p) => <button key={p.id} type="button" onClick={() => onPayer(p.id)}>{p.name}</button>)}</div>
        </>
      ) : (
        <form aria-label="Open a family account" onSubmit={(e) => void create(e)}>
          <p className="muted">Nobody pays for this student yet. Open a family account to take the payment in.</p>
          <div className="row">
            <label>Family or guardian<input value={name} onChange={(e) => setName(e.target.value)} autoFocus /></label>
            <label>Phone (optional)<input value={phone} onChange={(e) => setPhone(e.target.value)} inputMode="tel" /></label>
          </div>
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit">Open family account</button>
        </form>
      )}
    </div>
  );
}

function TakenPanel({ desk, identity, payment, onNext }: { desk: Desk; identity: DeskIdentity; payment: PaymentDoc; onNext: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const printRef = useRef<HTMLButtonElement>(null);
  useEffect(() => printRef.current?.focus(), []);
  const print = (choice: PrintChoice): void => {
    setError(null);
    printReceipt(desk, payment, identity.series, choice).catch((caught: unknown) => setError(`The receipt could not be printed: ${caught instanceof Error ? caught.message : String(caught)}`));
  };
  return (
    <div className="card taken" role="status" aria-label="Payment taken" onKeyDown={(e) => e.key === 'Escape' && onNext()}>
      <h2>Receipt <span data-testid="receipt-number">{payment.receiptNumber}</span></h2>
      <p>{formatMoney(payment.amount, payment.currency)} taken{payment.offline ? ' offline (it syncs when the connection is back)' : ''}.
        {payment.tendered !== undefined && <> Change: <strong>{formatMoney(payment.tendered - payment.amount, payment.currency)}</strong>.</>}
      </p>
      <div className="actions">
        <button ref={printRef} type="button" onClick={() => print({ layout: '80mm', copy: false })}>Print receipt</button>
        <button type="button" className="secondary" onClick={() => print({ layout: 'A5', copy: false })}>Print A5</button>
        <button type="button" className="secondary" onClick={() => print({ layout: '80mm', copy: false, save: true })}>Save PDF</button>
        <button type="button" className="secondary" onClick={onNext}>Next family (Esc)</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

function ClosedTillPanel({ desk, identity, closed, onDismiss }: { desk: Desk; identity: DeskIdentity; closed: ClosedTill; onDismiss: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const report = zReportOf(desk, closed.summary, closingLines(closed.summary, closed.counted), identity.series, closed.varianceReason, closed.closedAt);
  const print = (layout: '80mm' | 'A5', save = false): void => {
    setError(null);
    printZReport(desk, report, { layout, save }).catch((caught: unknown) => setError(`The Z-report could not be printed: ${caught instanceof Error ? caught.message : String(caught)}`));
  };
  return (
    <div className="card closed-till" role="status">
      <h2>Till {identity.series} closed</h2>
      <p>Taken {formatMoney(closed.summary.taken, desk.session.school.currency)}{closed.varianceReason ? `; difference explained: ${closed.varianceReason}` : ''}.</p>
      <div className="actions">
        <button type="button" onClick={() => print('80mm')}>Print Z-report</button>
        <button type="button" className="secondary" onClick={() => print('A5')}>Print A5</button>
        <button type="button" className="secondary" onClick={() => print('80mm', true)}>Save Z-report PDF</button>
        <button type="button" className="link" onClick={onDismiss}>Done</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
