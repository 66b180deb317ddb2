import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../directory.mjs';

it('lists files/docs in HTML and JSON, hiding the dotfile', async () => {
  const client = new TestClient(app);
  const html = await client.get('/docs/');
  expect(html.text).toContain('Index of /docs/');
  expect(html.text).toContain('readme.txt');
  const json = (await client.get('/docs/?format=json')).json() as { entries: { name: string }[] };
  expect(json.entries.map((e) => e.name)).toEqual(['data.json', 'readme.txt']);
  expect((await client.get('/docs')).header('location')).toBe('/docs/');
});
