import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsSegments {
  /** GSM-7 when every character is in the GSM 03.38 alphabet (basic or extension table), else UCS-2. */
  encoding: 'GSM-7' | 'UCS-2';
  /** Parts the network bills for: 160/153 characters per part in GSM-7, 70/67 in UCS-2. */
  segments: number;
  /**
   * Length as the network counts it: in GSM-7 an extension character (€ [ ] { } ^ ~ | \) takes two
   * septets and counts 2; in UCS-2 each user-visible character counts 1.
   */
  characters: number;
}

/**
 * How an SMS text is encoded and into how many segments it splits. The arithmetic (extension
 * characters, concatenation headers, surrogate pairs never split across parts) is Twilio's own
 * calculator, so what we store and show matches what the provider bills. Smart encoding (replacing
 * “curly quotes” with GSM ones) is off: we send the text as written.
 */
export function smsSegments(text: string): SmsSegments {
  const message = new SegmentedMessage(text, 'auto', false);
  return {
    encoding: message.encodingName,
    segments: message.segmentsCount,
    characters: message.numberOfCharacters,
  };
}
