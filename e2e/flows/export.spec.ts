import { readFile } from 'node:fs/promises';

import { expect, test } from './fixtures';

test('a customer downloads their data: a JSON file with their profile and consents', async ({ customer, privacy }) => {
  await privacy.goto();
  const file = await privacy.downloadData();
  expect(file.suggestedFilename()).toMatch(/^accord-data-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(await readFile((await file.path())!, 'utf8'));
  expect(data).toMatchObject({
    schema: 'accord-export',
    customer: { email: customer.email, firstName: customer.firstName },
  });
  expect(data.consents.receipts.map((r: { accord: { purposeKey: string } }) => r.accord.purposeKey)).toEqual([
    'terms-of-service',
  ]);
});
