// The signed-in desk: the header (school, person, sync state, sign out) and the sections the
// person's role may open, switched by a navigation bar built from the permission table.
import { useState } from 'react';
import { InitialSyncProgress } from '../components/initial-sync.tsx';
import { RefusedDocuments } from '../components/refused-documents.tsx';
import { schoolTimeFormatter } from '../components/school-time.ts';
import { SyncIndicator } from '../components/sync-indicator.tsx';
import { endSignInOnServer } from '../api/logout.ts';
import { isOfflineSession } from '../api/session.ts';
import { AuditScreen } from '../screens/audit-screen.tsx';
import { CashierScreen } from '../cashier/cashier-screen.tsx';
import { ChangePasswordForm } from '../screens/change-password-form.tsx';
import { DesksScreen } from '../screens/desks-screen.tsx';
import { StaffScreen } from '../screens/staff-screen.tsx';
import { ConflictsScreen } from '../screens/conflicts-screen.tsx';
import { StudentsScreen } from '../screens/students-screen.tsx';
import { SetupSection } from '../setup/setup-section.tsx';
import { FamiliesScreen } from '../families/families-screen.tsx';
import { IssueInvoicesScreen } from '../invoicing/issue-invoices-screen.tsx';
import { Notifications, SendNoticeForm, mayBroadcast } from './notifications.tsx';
import type { Desk } from './open-desk.ts';
import { useOpenConflicts, type OpenConflicts } from './open-conflicts.ts';
import { LockScreen, idleMinutes, useIdleLock } from './lock-screen.tsx';
import type { DeskEnrolment } from './enrolment.ts';
import type { Session } from '../api/session.ts';
import { defaultSection, deskSections, sectionTitles, type DeskSection } from './sections.ts';

export function DeskView({ desk, enrolment, onSignOut, onEnrolThisDesk, onPasswordChanged, onSwitchPerson }: {
  desk: Desk;
  /** This computer's desk enrolment, when it is one (offline unlock and switching use it). */
  enrolment: DeskEnrolment | null;
  onSignOut: (notice: string) => void;
  /** Another person took over the locked desk: the app carries on with their session. */
  onSwitchPerson: (session: Session, password: string) => Promise<void>;
  /** After the person changed their password: the desk drops its offline record of them. */
  onPasswordChanged: (userId: string) => Promise<void>;
  /** Enrols the desk this app runs on with an approval code just issued; resolves to what to tell the person. */
  onEnrolThisDesk?: (approvalCode: string) => Promise<string>;
}) {
  const offline = isOfflineSession(desk.session);
  const sections = deskSections(desk.session.user.role, offline ? 'offline' : 'online');
  const [chosen, setChosen] = useState<DeskSection>(() => defaultSection(desk.session.user.role, sections));
  const [signingOut, setSigningOut] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const [sendingNotice, setSendingNotice] = useState(false);
  // A role that lost a section (never shown to it) falls back to the first it may open.
  const section = sections.includes(chosen) ? chosen : (sections[0] ?? 'students');
  const conflicts = useOpenConflicts(desk, sections.includes('conflicts'));
  const idle = useIdleLock(idleMinutes());

  const signOut = async (): Promise<void> => {
    setSigningOut(true);
    // The latest rotation of the refresh token: the one the desk signed in with is long used up.
    const { notice } = await endSignInOnServer(desk.tokens.session());
    onSignOut(notice);
  };

  return (
    <>
    {idle.locked && (
      <LockScreen
        desk={desk}
        enrolment={enrolment}
        onUnlock={idle.unlock}
        onSwitch={async (session, password) => {
          await onSwitchPerson(session, password);
          idle.unlock();
        }}
        onSignOut={() => void signOut()}
      />
    )}
    <div className="desk" inert={idle.locked}>
      <header className="topbar">
        <div>
          <strong>{desk.session.school.name}</strong>
          <span className="muted"> · {desk.session.user.displayName} ({desk.session.user.role})</span>
        </div>
        <SyncIndicator store={desk.status} />
        {mayBroadcast(desk) && <button type="button" className="secondary" onClick={() => setSendingNotice(true)}>Send a notice</button>}
        <button type="button" className="secondary" onClick={idle.lock}>Lock</button>
        {!offline && <button type="button" className="secondary" onClick={() => setChangingPassword(true)}>Change password</button>}
        <button type="button" className="secondary" onClick={() => void signOut()} disabled={signingOut} aria-busy={signingOut}>Sign out</button>
      </header>
      {changingPassword && <ChangePasswordForm desk={desk} onChanged={onPasswordChanged} onCancel={() => setChangingPassword(false)} />}
      {sendingNotice && <SendNoticeForm desk={desk} onClose={() => setSendingNotice(false)} />}
      <Notifications desk={desk} onEvent={conflicts.onEvent} />
      <InitialSyncProgress store={desk.status} />
      <RefusedDocuments entries$={desk.refused$} formatTime={schoolTimeFormatter(desk.session.school.timezone)} />
      {offline && (
        <p className="notice" data-testid="offline-session">
          Signed in on this desk while the server was unreachable: a cashier&apos;s work only, and marked as an offline session in the audit trail. Sign out and in again online for everything else.
        </p>
      )}
      <nav className="desk-nav" aria-label="Desk sections">
        {sections.map((s) => (
          <button key={s} type="button" className={s === section ? 'active' : 'secondary'} aria-current={s === section ? 'page' : undefined} onClick={() => setChosen(s)}>
            {sectionTitles[s]}
            {s === 'conflicts' && conflicts.count > 0 && (
              <span className="badge" data-testid="conflicts-badge" aria-label={`${conflicts.count} open`}>
                {conflicts.count}
              </span>
            )}
          </button>
        ))}
      </nav>
      <SectionScreen section={section} desk={desk} onEnrolThisDesk={onEnrolThisDesk} conflicts={conflicts} />
    </div>
    </>
  );
}

function SectionScreen({ section, desk, onEnrolThisDesk, conflicts }: {
  section: DeskSection;
  desk: Desk;
  onEnrolThisDesk: ((approvalCode: string) => Promise<string>) | undefined;
  conflicts: OpenConflicts;
}) {
  switch (section) {
    case 'cashier':
      return <CashierScreen desk={desk} />;
    case 'students':
      return <StudentsScreen desk={desk} />;
    case 'families':
      return <FamiliesScreen desk={desk} />;
    case 'invoices':
      return <IssueInvoicesScreen desk={desk} />;
    case 'setup':
      return <SetupSection desk={desk} />;
    case 'audit':
      return <AuditScreen desk={desk} />;
    case 'desks':
      return <DesksScreen desk={desk} onEnrolThisDesk={onEnrolThisDesk} />;
    case 'staff':
      return <StaffScreen desk={desk} />;
    case 'conflicts':
      return <ConflictsScreen desk={desk} onChanged={conflicts.readAgain} />;
  }
}
