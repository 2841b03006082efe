// The console itself: React, antd, the router and every page area. main.tsx loads it after starting
// the page's network work (early-start.ts), so those requests do not wait for this code to load.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../i18n/i18n';
import './console.css';
import { App } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
