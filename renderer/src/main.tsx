// Renderer entry: mounts the app and makes the app shell available offline.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { platform } from '#platform';
import { App } from './app.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
platform.enableOfflineShell().catch((error: unknown) => {
  console.warn('Offline start-up is unavailable in this browser:', error);
});
