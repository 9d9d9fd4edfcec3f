// The cashier's one search box over students and payers: names in part, without regard to case
// or accents ("jose" finds José), admission numbers, and a guardian's phone number however it is
// typed (0712 345 678, +254 712 345678, 254712345678). Pure, so the desk can keep an index of
// twenty thousand students in memory and answer each keystroke from it.
import type { Payer } from '../fees/payers.ts';
import type { Student } from '../schemas/students.ts';

export type FoundKind = 'student' | 'payer';

export interface FoundPerson {
  kind: FoundKind;
  id: string;
  /** "Otieno, Amani" or the payer's name. */
  name: string;
  /** Admission number and class for a student; phone numbers for a payer. */
  detail: string;
  /** A student's payers (who pay the fees), a payer's students. */
  linked: readonly { id: string; name: string }[];
  /** What matched, for the screen: 'name', 'admission number' or 'phone'. */
  matchedOn: 'name' | 'admission number' | 'phone';
}

interface Entry {
  kind: FoundKind;
  id: string;
  name: string;
  detail: string;
  linked: { id: string; name: string }[];
  /** Folded words of the name (and other names). */
  words: string[];
  /** Folded name in one string, for ordering. */
  sortKey: string;
  /** Admission number without punctuation, folded. */
  admission: string;
  /** Digits of each phone number. */
  phones: string[];
  archived: boolean;
}

export interface PeopleIndex {
  readonly size: number;
  find(query: string, limit?: number): FoundPerson[];
}

/** Lower case without accents or marks: "Zoë Nakalema-Ódùá" → "zoe nakalema-odua". */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The digits of a phone number as typed; a leading + or 00 and national trunk zeros are dropped when matching. */
export function phoneDigits(text: string): string {
  return text.replace(/\D+/g, '');
}

/** What a typed number is matched on: its digits without leading zeros (0712… and 254712… share 712…). */
function phoneNeedle(query: string): string | null {
  if (!/^[\d\s+().-]+$/.test(query)) return null;
  const digits = phoneDigits(query).replace(/^0+/, '');
  return digits.length >= 4 ? digits : null;
}

const wordsOf = (text: string): string[] => foldText(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const compact = (text: string): string => foldText(text).replace(/[^\p{L}\p{N}]+/gu, '');

export interface PeopleSource {
  students: readonly Pick<Student, 'id' | 'admissionNumber' | 'firstName' | 'lastName' | 'otherNames' | 'status' | 'classId'>[];
  payers: readonly Pick<Payer, 'id' | 'name' | 'contacts' | 'students' | 'archived'>[];
  /** Class names by id, for a student's detail line. */
  classNames?: ReadonlyMap<string, string>;
}

export function buildPeopleIndex(source: PeopleSource): PeopleIndex {
  const studentName = (s: PeopleSource['students'][number]): string => `${s.lastName}, ${s.firstName}${s.otherNames ? ` ${s.otherNames}` : ''}`;
  const studentsById = new Map(source.students.map((s) => [s.id, s]));
  const payersOfStudent = new Map<string, { id: string; name: string }[]>();
  for (const payer of source.payers) {
    if (payer.archived) continue;
    for (const link of payer.students) {
      const list = payersOfStudent.get(link.studentId) ?? [];
      list.push({ id: payer.id, name: payer.name });
      payersOfStudent.set(link.studentId, list);
    }
  }
  const entries: Entry[] = [];
  for (const s of source.students) {
    const className = s.classId ? source.classNames?.get(s.classId) : undefined;
    const name = studentName(s);
    entries.push({
      kind: 'student',
      id: s.id,
      name,
      detail: [s.admissionNumber, className, s.status === 'active' ? undefined : s.status].filter(Boolean).join(' · '),
      linked: payersOfStudent.get(s.id) ?? [],
      words: wordsOf(`${s.firstName} ${s.lastName} ${s.otherNames ?? ''}`),
      sortKey: foldText(name),
      admission: compact(s.admissionNumber),
      // A student is found by the phones of the payers who pay for them.
      phones: [],
      archived: s.status !== 'active',
    });
  }
  const phonesOfStudent = new Map<string, string[]>();
  for (const payer of source.payers) {
    const phones = payer.contacts.filter((c) => c.type === 'phone' || c.type === 'whatsapp').map((c) => phoneDigits(c.value)).filter((d) => d.length >= 4);
    entries.push({
      kind: 'payer',
      id: payer.id,
      name: payer.name,
      detail: payer.contacts.filter((c) => c.type !== 'email').map((c) => c.value).join(', '),
      linked: payer.students.flatMap((link) => {
        const student = studentsById.get(link.studentId);
        return student ? [{ id: student.id, name: `${student.firstName} ${student.lastName}` }] : [];
      }),
      words: wordsOf(payer.name),
      sortKey: foldText(payer.name),
      admission: '',
      phones,
      archived: payer.archived === true,
    });
    if (!payer.archived) for (const link of payer.students) phonesOfStudent.set(link.studentId, [...(phonesOfStudent.get(link.studentId) ?? []), ...phones]);
  }
  for (const entry of entries) if (entry.kind === 'student') entry.phones = phonesOfStudent.get(entry.id) ?? [];

  return {
    size: entries.length,
    find(query: string, limit = 12): FoundPerson[] {
      const trimmed = query.trim();
      if (!trimmed) return [];
      const tokens = wordsOf(trimmed);
      const admissionNeedle = compact(trimmed);
      const phone = phoneNeedle(trimmed);
      const hits: { entry: Entry; rank: number; matchedOn: FoundPerson['matchedOn'] }[] = [];
      for (const entry of entries) {
        // Rank: 0 exact admission number, 1 admission number prefix, 2 every word a name prefix,
        // 3 phone, 4 every word inside the name; archived people after everyone else.
        let rank = -1;
        let matchedOn: FoundPerson['matchedOn'] = 'name';
        if (entry.admission && admissionNeedle) {
          if (entry.admission === admissionNeedle) rank = 0;
          else if (admissionNeedle.length >= 2 && entry.admission.startsWith(admissionNeedle)) rank = 1;
          if (rank >= 0) matchedOn = 'admission number';
        }
        if (rank < 0 && tokens.length > 0) {
          if (tokens.every((t) => entry.words.some((w) => w.startsWith(t)))) rank = 2;
          else if (tokens.every((t) => t.length >= 3 && entry.words.some((w) => w.includes(t)))) rank = 4;
        }
        if (rank < 0 && phone && entry.phones.some((p) => p.includes(phone))) {
          rank = 3;
          matchedOn = 'phone';
        }
        if (rank < 0) continue;
        hits.push({ entry, rank: rank + (entry.archived ? 10 : 0), matchedOn });
      }
      hits.sort((a, b) => a.rank - b.rank || (a.entry.sortKey < b.entry.sortKey ? -1 : a.entry.sortKey > b.entry.sortKey ? 1 : 0) || (a.entry.kind < b.entry.kind ? 1 : -1));
      return hits.slice(0, limit).map(({ entry, matchedOn }) => ({ kind: entry.kind, id: entry.id, name: entry.name, detail: entry.detail, linked: entry.linked, matchedOn }));
    },
  };
}
