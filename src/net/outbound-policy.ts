import { promises as dns, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

/**
 * The one policy for every request finflow sends on a user's behalf: outbound webhooks and the
 * `http.request` action. An API key that can register a URL must not make finflow read its own
 * loopback services, the cloud metadata endpoint or the private network (SSRF), nor store a password
 * in a URL that every viewer sees. So:
 *
 * - only `http:` and `https:` URLs, without credentials (`user:pass@`): use named secrets;
 * - the host must be a public address: loopback, link-local, private, shared (CGNAT), multicast,
 *   reserved and documentation ranges, and IPv6 forms embedding such an IPv4 address (mapped,
 *   compatible, NAT64, 6to4), are refused unless the `outboundAllow` setting lists the address, a
 *   CIDR holding it, or the host name;
 * - the check runs when a URL is registered (names are resolved then, for an early 400) and again on
 *   every request, where the socket's own DNS lookup refuses a disallowed address: the address
 *   finflow connects to is the one checked, so a name that resolves elsewhere later (DNS rebinding)
 *   is refused at connect time.
 *
 * A host name in `outboundAllow` is trusted wherever its DNS points (an internal core system by
 * name); an address or CIDR allows those addresses under any name.
 *
 * It lives below the domains (src/net/) because config validates `outboundAllow` entries with it and
 * several domains (http-call, webhooks) send through it: no lower layer has to import a domain.
 */

/** A refusal by the policy: a registration answers 400 with it, a send records it as the failure. */
export class OutboundRefused extends Error {
  readonly code = 'EOUTBOUNDREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/** Resolves a host name to every address it has (dns.lookup, as sockets do). Tests inject their own. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundPolicyOptions {
  /** Addresses, CIDRs (`10.1.0.0/16`, `fd00::/8`) and host names (`core.internal`, `*.internal`). */
  allow?: readonly string[];
  resolve?: Resolver;
  /** How long registration waits for DNS before accepting the name (it is checked again on connect). */
  registrationLookupMs?: number;
}

export interface OutboundInit {
  method: string;
  headers?: Headers | Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface OutboundPolicy {
  /** The registration check: throws OutboundRefused naming what is wrong. Resolves names (bounded wait). */
  check(url: string | URL): Promise<void>;
  /**
   * fetch, through the policy: never follows redirects (a 3xx is the answer), and connects only to
   * allowed addresses. A refusal rejects with OutboundRefused before any connection is made.
   */
  fetch(url: string | URL, init: OutboundInit): Promise<Response>;
}

const defaultResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** Not public: refused unless allowed. */
const DENIED_V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'a "this network" address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];
/** Global unicast IPv6 is 2000::/3; within it these are not public. Everything outside it is refused. */
const DENIED_V6_GLOBAL: Array<[string, number, string]> = [
  ['2001::', 32, 'a Teredo address'],
  ['2001:2::', 48, 'a benchmarking address'],
  ['2001:10::', 28, 'an ORCHID address'],
  ['2001:20::', 28, 'an ORCHID address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['3fff::', 20, 'a documentation address'],
];

const deniedV4 = DENIED_V4.map(([net, prefix, what]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, 'ipv4');
  return { list, what };
});
const deniedV6 = DENIED_V6_GLOBAL.map(([net, prefix, what]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, 'ipv6');
  return { list, what };
});

/** The eight 16-bit words of an IPv6 address (which isIP already accepted). */
function ipv6Words(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const start = part(head);
  const end = part(tail);
  return tail === undefined ? start : [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that embed one. */
function embeddedIPv4(words: number[]): string | undefined {
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated)
  if (zeros(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return v4(words[6]!, words[7]!);
  // ::a.b.c.d (compatible; not :: and ::1, which are judged as IPv6)
  if (zeros(0, 6) && (words[6] !== 0 || words[7]! > 1)) return v4(words[6]!, words[7]!);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6]!, words[7]!);
  // 2002:AABB:CCDD::/48 (6to4)
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return undefined;
}

/** Why an address is not public, or undefined when it is. */
export function nonPublicReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return deniedV4.find(({ list }) => list.check(address, 'ipv4'))?.what;
  if (family !== 6) return 'not an IP address';
  const words = ipv6Words(address);
  const embedded = embeddedIPv4(words);
  if (embedded) {
    const reason = nonPublicReason(embedded);
    return reason ? `${reason} (as IPv6)` : undefined;
  }
  if (words.every((w) => w === 0)) return 'the unspecified address';
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return 'a loopback address';
  const first = words[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'a unique local (private) address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  if ((first & 0xe000) !== 0x2000) return 'not a global unicast address';
  return deniedV6.find(({ list }) => list.check(address, 'ipv6'))?.what;
}

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Why an `outboundAllow` entry is not valid, or undefined. */
export function allowEntryProblem(entry: string): string | undefined {
  const [address, prefix, ...rest] = entry.trim().split('/');
  if (prefix !== undefined) {
    const family = isIP(address!);
    const bits = Number(prefix);
    if (rest.length > 0 || family === 0 || !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
      return `"${entry}" is not a CIDR (e.g. 10.0.0.0/8, fd00::/8)`;
    }
    return undefined;
  }
  if (isIP(address!) || HOST_NAME.test(address!)) return undefined;
  return `"${entry}" is not an IP address, a CIDR or a host name`;
}

/** `[::1]` → `::1`; names lower-case without a trailing dot. */
function bareHost(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : host.toLowerCase().replace(/\.$/, '');
}

/** Why a URL cannot be sent to at all (scheme, credentials), before looking at its host. */
export function urlShapeProblem(value: string | URL): string | undefined {
  let url: URL;
  try {
    url = typeof value === 'string' ? new URL(value) : value;
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not hold credentials (user:password@); use a named secret';
  }
  return undefined;
}

/** The URL as it may be shown or logged: any credentials left in it replaced. */
export function displayUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    return `${url.protocol}//[redacted]@${url.host}${url.pathname}${url.search}${url.hash}`;
  } catch {
    return value;
  }
}

export function outboundPolicy(options: OutboundPolicyOptions = {}): OutboundPolicy {
  const resolve = options.resolve ?? defaultResolver;
  const lookupMs = options.registrationLookupMs ?? 3000;
  const allowedAddresses = new BlockList();
  const allowedNames: string[] = [];
  const allowedSuffixes: string[] = [];
  for (const raw of options.allow ?? []) {
    const problem = allowEntryProblem(raw);
    if (problem) throw new Error(`outboundAllow: ${problem}`);
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    const [address, prefix] = entry.split('/');
    const family = isIP(address!);
    if (family) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) allowedAddresses.addAddress(address!, type);
      else allowedAddresses.addSubnet(address!, Number(prefix), type);
    } else if (entry.startsWith('*.')) {
      allowedSuffixes.push(entry.slice(1));
    } else {
      allowedNames.push(entry);
    }
  }

  const nameAllowed = (host: string) =>
    allowedNames.includes(host) || allowedSuffixes.some((suffix) => host.endsWith(suffix));

  /** Throws when finflow may not connect to this address (for `host`, named in the message). */
  const assertAddress = (address: string, host: string) => {
    const reason = nonPublicReason(address);
    if (reason === undefined) return;
    const family = isIP(address);
    const words = family === 6 ? ipv6Words(address) : undefined;
    const embedded = words && embeddedIPv4(words);
    if (allowedAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6')) return;
    if (embedded && allowedAddresses.check(embedded, 'ipv4')) return;
    const where = host === address ? address : `${host} (${address})`;
    throw new OutboundRefused(
      `${where} is ${reason}; outbound requests go to public addresses only unless the outboundAllow setting lists it`,
    );
  };

  /** Scheme, credentials and an address host; returns the host name when DNS must still decide. */
  const checkShape = (value: string | URL): { url: URL; host: string; needsDns: boolean } => {
    const problem = urlShapeProblem(value);
    if (problem) throw new OutboundRefused(`the URL ${problem}`);
    const url = typeof value === 'string' ? new URL(value) : value;
    const host = bareHost(url);
    if (isIP(host)) {
      assertAddress(host, host);
      return { url, host, needsDns: false };
    }
    return { url, host, needsDns: !nameAllowed(host) };
  };

  const checkAll = (addresses: LookupAddress[], host: string) => {
    if (addresses.length === 0) throw new OutboundRefused(`${host} has no address`);
    for (const { address } of addresses) assertAddress(address, host);
  };

  /** The socket's DNS lookup: resolves, and refuses before connecting when any address is not allowed. */
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const host = hostname.toLowerCase().replace(/\.$/, '');
    resolve(hostname).then(
      (all) => {
        try {
          if (!nameAllowed(host)) checkAll(all, host);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '', 0);
          return;
        }
        const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (lookupOptions.all) {
          (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  return {
    async check(value) {
      const { host, needsDns } = checkShape(value);
      if (!needsDns) return;
      let timer: NodeJS.Timeout | undefined;
      const addresses = await Promise.race([
        resolve(host).catch(() => undefined),
        new Promise<undefined>((done) => {
          timer = setTimeout(() => done(undefined), lookupMs);
        }),
      ]).finally(() => clearTimeout(timer));
      // A name that does not resolve now is not refused (DNS may be down, or the name not yet
      // published); the connect-time check judges the address it resolves to then.
      if (addresses) checkAll(addresses, host);
    },

    async fetch(value, init) {
      const { url } = checkShape(value);
      return send(url, init, guardedLookup);
    },
  };
}

/** Statuses whose response has no body (fetch's Response refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function send(url: URL, init: OutboundInit, lookup: LookupFunction): Promise<Response> {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolvePromise, reject) => {
    const req = requester(
      url,
      {
        method: init.method,
        headers,
        lookup,
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (res: IncomingMessage) => {
        try {
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          }
          const status = res.statusCode ?? 0;
          const empty = NULL_BODY.has(status) || init.method === 'HEAD';
          if (empty) res.resume();
          const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolvePromise(new Response(body, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        } catch (error) {
          res.destroy();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
