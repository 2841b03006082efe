import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { smsSegments } from './segments.js';

describe('smsSegments', () => {
  test('plain ASCII: 160 characters fit one segment, then 153 per segment', () => {
    assert.deepEqual(smsSegments('a'.repeat(160)), { encoding: 'GSM-7', segments: 1, characters: 160 });
    assert.deepEqual(smsSegments('a'.repeat(161)), { encoding: 'GSM-7', segments: 2, characters: 161 });
    assert.equal(smsSegments('a'.repeat(306)).segments, 2);
    assert.equal(smsSegments('a'.repeat(307)).segments, 3);
  });

  test('GSM-7 extension characters count double', () => {
    assert.deepEqual(smsSegments('€'), { encoding: 'GSM-7', segments: 1, characters: 2 });
    assert.equal(smsSegments('€'.repeat(80)).segments, 1);
    assert.equal(smsSegments('€'.repeat(81)).segments, 2);
    // 159 plain + one € = 161 septets: the euro sign pushes it into a second segment.
    assert.deepEqual(smsSegments(`${'a'.repeat(159)}€`), { encoding: 'GSM-7', segments: 2, characters: 161 });
    assert.equal(smsSegments('[]{}^~|\\').characters, 16);
  });

  test('Chinese text is UCS-2: 70 characters in one segment, then 67 per segment', () => {
    assert.deepEqual(smsSegments('中'.repeat(70)), { encoding: 'UCS-2', segments: 1, characters: 70 });
    assert.deepEqual(smsSegments('中'.repeat(71)), { encoding: 'UCS-2', segments: 2, characters: 71 });
    assert.equal(smsSegments('您的账单已逾期，请尽快付款。').encoding, 'UCS-2');
  });

  test('an emoji forces UCS-2 for the whole message', () => {
    assert.equal(smsSegments('Thanks for paying').encoding, 'GSM-7');
    assert.equal(smsSegments('Thanks for paying 😀').encoding, 'UCS-2');
  });

  test('Spanish: ñ and é are in the GSM-7 alphabet, á is not', () => {
    assert.deepEqual(smsSegments('Año de la señora, café'), { encoding: 'GSM-7', segments: 1, characters: 22 });
    assert.equal(smsSegments('Está vencida su factura').encoding, 'UCS-2');
  });
});
