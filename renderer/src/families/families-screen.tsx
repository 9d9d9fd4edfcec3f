// Families and other payers: find one, change its name and contacts, link the children it pays
// for (siblings share one family account) with the share each pays, or archive it. Phone numbers
// are stored in E.164 (+254712345678) so siblings and imports find the same family. Offline too.
import { useMemo, useState, type FormEvent } from 'react';
import {
  cellEmail,
  cellPhone,
  contactChannels,
  countryOfCurrency,
  newId,
  payerKinds,
  refusalToWrite,
  replicatedCollections,
  type CountryCode,
  type Payer,
  type Student,
} from '@feemaster/core';
import { useObservable } from '../components/use-observable.ts';
import type { Desk } from '../desk/open-desk.ts';
import { basisPointsToPercent, percentToBasisPoints } from './share.ts';

const SHOWN = 300;

export function FamiliesScreen({ desk }: { desk: Desk }) {
  const payers$ = useMemo(() => desk.db.payers.find({ sort: [{ name: 'asc' }] }).$, [desk]);
  const payerDocs = useObservable(payers$, []);
  const students$ = useMemo(() => desk.db.students.find().$, [desk]);
  const studentDocs = useObservable(students$, []);
  const payers = useMemo(() => payerDocs.map((d) => d.toJSON() as Payer), [payerDocs]);
  const students = useMemo(() => new Map(studentDocs.map((d) => [d.id, d.toJSON() as Student])), [studentDocs]);
  const [search, setSearch] = useState('');
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<Payer | 'new' | null>(null);
  const mayEdit = refusalToWrite(desk.session.user.role, 'payers', {}) === null;

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return payers.filter((p) => {
      if (p.archived === true && !showArchived) return false;
      if (!needle) return true;
      const children = p.students.map((l) => students.get(l.studentId)).map((s) => (s ? `${s.firstName} ${s.lastName} ${s.admissionNumber}` : ''));
      return `${p.name} ${p.contacts.map((c) => c.value).join(' ')} ${children.join(' ')}`.toLowerCase().includes(needle);
    });
  }, [payers, students, search, showArchived]);

  return (
    <section className="families">
      <div className="toolbar">
        <h2>Families and payers <span className="count">{visible.length}</span></h2>
        <input type="search" aria-label="Search families" placeholder="Name, phone or child" value={search} onChange={(e) => setSearch(e.target.value)} />
        <label className="inline"><input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />Show archived</label>
        {mayEdit && <button type="button" onClick={() => setEditing('new')}>Add family</button>}
      </div>
      {editing && <PayerForm key={editing === 'new' ? 'new' : editing.id} desk={desk} existing={editing === 'new' ? null : editing} students={students} payers={payers} onClose={() => setEditing(null)} />}
      <table className="admin-table" aria-label="Families">
        <thead><tr><th>Name</th><th>Kind</th><th>Contacts</th><th>Children</th><th /></tr></thead>
        <tbody>
          {visible.slice(0, SHOWN).map((p) => (
            <tr key={p.id} data-testid="family-row" className={p.archived ? 'archived' : undefined}>
              <td>{p.name}{p.archived ? ' (archived)' : ''}</td>
              <td>{p.kind}</td>
              <td>{p.contacts.map((c) => c.value).join(', ') || '—'}</td>
              <td>{p.students.map((l) => { const s = students.get(l.studentId); return s ? `${s.firstName} ${s.lastName}${l.share === 10_000 ? '' : ` (${basisPointsToPercent(l.share)}%)`}` : 'a removed student'; }).join(', ') || '—'}</td>
              <td>{mayEdit && <button type="button" className="link" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>Edit</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {visible.length > SHOWN && <p className="muted">The first {SHOWN} of {visible.length}: search to find the others.</p>}
    </section>
  );
}

interface Link {
  studentId: string;
  /** Percent as typed ("100", "50"). */
  percent: string;
  feeCategoryIds?: string[];
}

function PayerForm({ desk, existing, students, payers, onClose }: { desk: Desk; existing: Payer | null; students: Map<string, Student>; payers: Payer[]; onClose: () => void }) {
  const country: CountryCode = countryOfCurrency(desk.session.school.currency) ?? 'US';
  const [name, setName] = useState(existing?.name ?? '');
  const [kind, setKind] = useState<Payer['kind']>(existing?.kind ?? 'family');
  const [phones, setPhones] = useState(existing?.contacts.filter((c) => c.type !== 'email').map((c) => c.value).join('\n') ?? '');
  const [emails, setEmails] = useState(existing?.contacts.filter((c) => c.type === 'email').map((c) => c.value).join('\n') ?? '');
  const [channel, setChannel] = useState<Payer['preferredChannel']>(existing?.preferredChannel ?? 'sms');
  const [links, setLinks] = useState<Link[]>(existing?.students.map((l) => ({ studentId: l.studentId, percent: basisPointsToPercent(l.share), ...(l.feeCategoryIds ? { feeCategoryIds: l.feeCategoryIds } : {}) })) ?? []);
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);

  const candidates = useMemo(() => {
    const needle = adding.trim().toLowerCase();
    if (needle.length < 2) return [];
    return [...students.values()].filter((s) => !links.some((l) => l.studentId === s.id) && `${s.admissionNumber} ${s.firstName} ${s.lastName}`.toLowerCase().includes(needle)).slice(0, 8);
  }, [adding, students, links]);

  const save = async (archived: boolean, event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    setError(null);
    const problems: string[] = [];
    const contacts: Payer['contacts'] = [];
    for (const line of phones.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const phone = cellPhone(line, country);
      if (phone.ok) contacts.push({ type: 'phone', value: phone.value });
      else problems.push(`${phone.problem}. ${phone.fix}.`);
    }
    for (const line of emails.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const email = cellEmail(line);
      if (email.ok) contacts.push({ type: 'email', value: email.value });
      else problems.push(`${email.problem}. ${email.fix}.`);
    }
    const shares: Payer['students'] = [];
    for (const link of links) {
      const share = percentToBasisPoints(link.percent);
      const who = students.get(link.studentId);
      if (share === null) problems.push(`The share for ${who ? `${who.firstName} ${who.lastName}` : 'a child'} must be a percentage from 0 to 100, like 100 or 50.`);
      else shares.push({ studentId: link.studentId, share, ...(link.feeCategoryIds ? { feeCategoryIds: link.feeCategoryIds } : {}) });
    }
    // A child paid for in full by another family is probably a mistake: say so, but a split is allowed.
    for (const share of shares) {
      const others = payers.filter((p) => p.id !== existing?.id && p.archived !== true && p.students.some((l) => l.studentId === share.studentId));
      const taken = others.reduce((sum, p) => sum + (p.students.find((l) => l.studentId === share.studentId)?.share ?? 0), 0);
      const who = students.get(share.studentId);
      if (taken + share.share > 10_000 && who) problems.push(`${who.firstName} ${who.lastName} is already paid for by ${others.map((p) => p.name).join(', ')}: together the shares pass 100%. Lower a share, or unlink the child from the other family first.`);
    }
    if (problems.length > 0) {
      setError(problems.join(' '));
      return;
    }
    const now = new Date().toISOString();
    const payer: Payer = {
      id: existing?.id ?? newId(),
      schoolId: desk.session.school.id,
      kind,
      name: name.trim(),
      contacts,
      preferredChannel: contacts.length === 0 ? 'none' : channel,
      students: shares,
      ...(archived ? { archived: true } : {}),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    const invalid = replicatedCollections.payers.validate(payer);
    if (invalid.length > 0) {
      setError(invalid.map((p) => `${p.path.slice(1) || 'the family'} ${p.message}`).join('; '));
      return;
    }
    desk.pending.payers.mark(payer.id, payer.updatedAt).catch((caught: unknown) => console.warn('Saved, but not counted as waiting to sync:', caught));
    try {
      await desk.db.payers.upsert(payer);
      onClose();
    } catch (caught) {
      await desk.pending.payers.settle([{ id: payer.id, updatedAt: payer.updatedAt }]);
      setError(`The family could not be saved on this desk: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };

  return (
    <form className="card" aria-label={existing ? 'Edit family' : 'Add family'} onSubmit={(e) => void save(existing?.archived === true, e)}>
      <h3>{existing ? `Edit ${existing.name}` : 'New family or payer'}</h3>
      <div className="row">
        <label>Name<input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label>Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as Payer['kind'])}>
            {payerKinds.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
        <label>Send receipts and reminders by
          <select value={channel} onChange={(e) => setChannel(e.target.value as Payer['preferredChannel'])}>
            {contactChannels.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
      </div>
      <div className="row">
        <label>Phone numbers (one per line)<textarea rows={2} value={phones} onChange={(e) => setPhones(e.target.value)} /></label>
        <label>E-mail addresses (one per line)<textarea rows={2} value={emails} onChange={(e) => setEmails(e.target.value)} /></label>
      </div>
      <fieldset>
        <legend>Children this family pays for</legend>
        {links.length === 0 && <p className="muted">None yet.</p>}
        {links.map((link, index) => {
          const s = students.get(link.studentId);
          return (
            <div key={link.studentId} className="row" data-testid="family-child">
              <span>{s ? `${s.firstName} ${s.lastName} (${s.admissionNumber})` : 'a removed student'}</span>
              <label>Share %<input aria-label={`Share of ${s ? `${s.firstName} ${s.lastName}` : 'child'}`} value={link.percent} size={5} onChange={(e) => setLinks(links.map((l, i) => (i === index ? { ...l, percent: e.target.value } : l)))} /></label>
              <button type="button" className="link" onClick={() => setLinks(links.filter((_, i) => i !== index))}>Unlink</button>
            </div>
          );
        })}
        <label>Link a child<input aria-label="Find a child to link" placeholder="Name or admission number" value={adding} onChange={(e) => setAdding(e.target.value)} /></label>
        {candidates.length > 0 && (
          <ul className="compact">
            {candidates.map((s) => (
              <li key={s.id}><button type="button" className="link" onClick={() => { setLinks([...links, { studentId: s.id, percent: '100' }]); setAdding(''); }}>Link {s.firstName} {s.lastName} ({s.admissionNumber})</button></li>
            ))}
          </ul>
        )}
      </fieldset>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit">Save family</button>
        {existing && <button type="button" className="secondary" onClick={() => void save(existing.archived !== true)}>{existing.archived ? 'Restore' : 'Archive'}</button>}
        <button type="button" className="secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
