// Types for pg-server.mjs (plain JS so that test.mjs can run it without a build).
export function findPgBin(): string;
export function startPgServer(): Promise<{ url: string; stop(): void }>;
