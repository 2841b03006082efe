// The console's entry point, kept tiny on purpose: it starts the session request, the page's chunk
// and the page's first data requests (app/early-start.ts), then loads the console (app/boot.tsx).
// Loading the console first would hold every request until React, antd and the router had been
// fetched, parsed and run.
import './app/early-start';

void import('./app/boot');
