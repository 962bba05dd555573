import { describe, expect, it } from 'vitest';

import { parseSupportReason, supportRevealReason, supportViewReason } from '@/lib/validation/support';
import { maskAddress, maskEmail, maskPhone } from '@/server/customers/masks';

describe('masks', () => {
  it('keeps the first letters and the top-level domain of an email', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j•••@e•••.com');
    expect(maskEmail('a@localhost')).toBe('a•••@l•••');
    expect(maskEmail('x@mail.example.co.uk')).toBe('x•••@m•••.uk');
  });

  it('keeps only the last two digits of a phone number', () => {
    expect(maskPhone('+33612345678')).toBe('•• •• •• •• 78');
    expect(maskPhone('+14155550199')).toBe('•• •• •• •• 99');
    for (const phone of ['+33612345678', '+14155550199']) expect(maskPhone(phone)).not.toContain(phone.slice(3, -2));
  });

  it('keeps an address to its city and country', () => {
    const masked = maskAddress({ line1: '12 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' } as {
      city: string;
      country: string;
    });
    expect(masked).toEqual({ city: 'Paris', country: 'FR' });
  });
});

describe('support reasons in the access log', () => {
  it('round-trips a view and a reveal', () => {
    expect(parseSupportReason(supportViewReason('1a2b3c4d-0000-4000-8000-000000000000'))).toEqual({
      kind: 'view',
      caseRef: '1a2b3c4d',
    });
    expect(parseSupportReason(supportRevealReason('delivery-problem', 'T-42 (chat)'))).toEqual({
      kind: 'reveal',
      reason: 'delivery-problem',
      ticketRef: 'T-42 (chat)',
    });
  });

  it('leaves other reasons alone', () => {
    expect(parseSupportReason('reveal made-up ticket 1')).toBeNull();
    expect(parseSupportReason('GDPR request 12')).toBeNull();
    expect(parseSupportReason(null)).toBeNull();
  });
});
