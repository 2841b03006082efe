/**
 * A customer's postal address (customers.address: line1, line2, city, postalCode, region, country)
 * as the lines of an address block. The order of postcode, city and region follows the destination
 * country's convention for the common cases; the country's name, in the letter's language, closes
 * the block, in capitals as the UPU asks.
 */
export function postalLines(address: Record<string, string> | null, locale: string): string[] | null {
  if (!address) return null;
  const get = (key: string): string | undefined => {
    const value = address[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const line1 = get('line1');
  const city = get('city');
  const postalCode = get('postalCode');
  // A street and a place to deliver to, at the least.
  if (!line1 || (!city && !postalCode)) return null;
  const region = get('region');
  const country = get('country')?.toUpperCase();
  const join = (...parts: Array<string | undefined>) => parts.filter((p) => p !== undefined).join(' ');

  let locality: Array<string | undefined>;
  switch (country) {
    case 'US':
    case 'CA':
    case 'AU':
      // New York, NY 10001
      locality = [join(city && region ? `${city},` : city, region, postalCode)];
      break;
    case 'GB':
    case 'IE':
      locality = [city, region, postalCode];
      break;
    case 'CN':
    case 'JP':
      // 广东省深圳市: province and city run together, as Chinese and Japanese addresses are written
      locality = [[region, city].filter((p) => p !== undefined).join(''), postalCode];
      break;
    default:
      // 28013 Madrid
      locality = [join(postalCode, city), region && region !== city ? region : undefined];
  }
  return [line1, get('line2'), ...locality, country && countryName(country, locale)].filter(
    (line): line is string => line !== undefined && line !== '',
  );
}

function countryName(code: string, locale: string): string {
  try {
    return (new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code).toLocaleUpperCase(locale);
  } catch {
    return code;
  }
}

/** Whether letter.send can post to this address (a street, and a city or postcode). */
export function hasPostalAddress(address: Record<string, string> | null): boolean {
  return postalLines(address, 'en') !== null;
}

/** Name and address on one line, for message lists: `Sam Lee, 1 Main St, New York, NY 10001, UNITED STATES`. */
export function oneLine(name: string, lines: string[]): string {
  return [name, ...lines].join(', ');
}
