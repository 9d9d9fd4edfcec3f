// The app shell: decides between first-run setup, sign-in and the desk, and owns the desk's
// lifetime (open on sign-in or from the saved session, close on sign-out).
import { useCallback, useEffect, useState } from 'react';
import { platform } from '#platform';
import { ApiError, api } from './api/client.ts';
import { clearSession, loadSession, saveSession, type Session } from './api/session.ts';
import { DeskView } from './desk/desk-view.tsx';
import { deskLabel, enrolThisDesk, forgetOfflineAccount, loadEnrolment, rememberOfflineSignIn, type DeskEnrolment } from './desk/enrolment.ts';
import { openDesk, type Desk } from './desk/open-desk.ts';
import { SetupScreen } from './screens/setup-screen.tsx';
import { SignInScreen } from './screens/sign-in-screen.tsx';

type Screen =
  | { kind: 'loading' }
  | { kind: 'setup'; serverUrl: string }
  | { kind: 'sign-in'; serverUrl: string; notice: string | null }
  | { kind: 'desk'; desk: Desk }
  | { kind: 'failed'; message: string };

async function entryScreen(serverUrl: string, notice: string | null = null): Promise<Screen> {
  try {
    const { setupRequired } = await api.setupStatus(serverUrl);
    return setupRequired ? { kind: 'setup', serverUrl } : { kind: 'sign-in', serverUrl, notice };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'offline') {
      return { kind: 'sign-in', serverUrl, notice: 'The sync server cannot be reached. People who signed in on this desk before can still sign in; everyone else needs the connection.' };
    }
    throw error;
  }
}

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' });
  const [enrolment, setEnrolment] = useState<DeskEnrolment | null>(null);

  const showDesk = useCallback(async (session: Session, enrolled: DeskEnrolment | null) => {
    // The desk's office and receipt series, when this computer is the registered desk the session is bound to.
    const device = enrolled && enrolled.serverUrl === session.serverUrl && enrolled.school.id === session.school.id ? enrolled.device : null;
    const desk = await openDesk(session, () => undefined, device);
    setScreen({ kind: 'desk', desk });
  }, []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const serverUrl = await platform.serverUrl();
        const session = await loadSession();
        const enrolled = await loadEnrolment();
        if (cancelled) return;
        setEnrolment(enrolled);
        if (session && session.serverUrl === serverUrl) await showDesk(session, enrolled);
        else setScreen(await entryScreen(serverUrl));
      } catch (error) {
        setScreen({ kind: 'failed', message: describe(error) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [showDesk]);

  const signOut = async (desk: Desk, notice = 'You are signed out.'): Promise<void> => {
    await desk.close();
    await clearSession();
    setScreen(await entryScreen(desk.session.serverUrl, notice));
  };

  switch (screen.kind) {
    case 'loading':
      return <main className="card narrow"><p>Opening Fee Master…</p></main>;
    case 'failed':
      return <main className="card narrow"><h1>Fee Master could not start</h1><p className="error" role="alert">{screen.message}</p></main>;
    case 'setup':
      return <SetupScreen serverUrl={screen.serverUrl} onDone={() => setScreen({ kind: 'sign-in', serverUrl: screen.serverUrl, notice: 'School created. Sign in with the owner account.' })} />;
    case 'sign-in':
      return (
        <SignInScreen
          serverUrl={screen.serverUrl}
          notice={screen.notice}
          enrolment={enrolment?.serverUrl === screen.serverUrl ? enrolment : null}
          onServerChange={(url) => void platform.setServerUrl(url)}
          onEnrolled={(enrolled) => {
            setEnrolment(enrolled);
            setScreen({ ...screen, notice: `This computer is now desk ${deskLabel(enrolled)} of ${enrolled.school.name}. Sign in.` });
          }}
          onDeskRevoked={() => {
            setEnrolment(null);
            void platform.clearEnrolment();
          }}
          onSignedIn={({ session, password }) => {
            void (async () => {
              try {
                await saveSession(session);
                // An online sign-in on an enrolled desk leaves a verifier for offline sign-in here.
                const desk = enrolment?.serverUrl === session.serverUrl && session.offlineGrant ? enrolment : null;
                if (desk) setEnrolment(await rememberOfflineSignIn(desk, session, password));
              } catch (error) {
                setScreen({ kind: 'failed', message: `Signed in, but this desk could not keep the session: ${describe(error)}` });
                return;
              }
              await showDesk(session, enrolment).catch((error: unknown) =>
                setScreen({ kind: 'failed', message: `The local database of this desk could not be opened: ${describe(error)}` }),
              );
            })();
          }}
        />
      );
    case 'desk':
      return (
        <DeskView
          desk={screen.desk}
          enrolment={enrolment?.serverUrl === screen.desk.session.serverUrl ? enrolment : null}
          onSignOut={(notice) => void signOut(screen.desk, notice)}
          onSwitchPerson={async (session, password) => {
            await saveSession(session);
            if (enrolment?.serverUrl === session.serverUrl && session.offlineGrant) setEnrolment(await rememberOfflineSignIn(enrolment, session, password));
            // Same replica, same open screen: only who is signed in changes.
            screen.desk.tokens.replace(session);
            setScreen({ kind: 'desk', desk: { ...screen.desk, session } });
          }}
          onPasswordChanged={async (userId) => {
            if (enrolment) setEnrolment(await forgetOfflineAccount(enrolment, userId));
          }}
          onEnrolThisDesk={
            enrolment?.serverUrl === screen.desk.session.serverUrl
              ? undefined
              : async (approvalCode) => {
                  const enrolled = await enrolThisDesk(screen.desk.session.serverUrl, approvalCode);
                  setEnrolment(enrolled);
                  return `This computer is now desk ${deskLabel(enrolled)}. Sign out and sign in again here, so that people can also sign in on it while the server is unreachable.`;
                }
          }
        />
      );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
