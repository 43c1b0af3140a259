import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellReply, decode, encode, forwardRequest, type CellRequest } from './protocol.ts';

test('a forwarded request carries every field of the caller, one hop further, from the calling cell', () => {
  const req: Required<CellRequest> = {
    method: 'POST',
    path: '/cart/7',
    route: 'POST /cart/:id',
    params: { id: '7' },
    query: 'q=1',
    client: '127.0.0.9',
    body: { sku: 'a' },
    deadline: 1000,
    hops: 1,
    from: 'gateway-ish',
  };
  const out = forwardRequest(req, 'cart', 1500);
  assert.deepEqual(Object.keys(out).sort(), Object.keys(req).sort());
  assert.deepEqual(out, { ...req, hops: 2, from: 'cart', deadline: 1500 });
});

test('a reply has one shape; fields left undefined are not sent', () => {
  const ok = cellReply('catalog', 'catalog-1', 200, { items: 3 });
  const failed = cellReply('catalog', 'catalog-1', 503, undefined, 'replica overloaded');
  assert.deepEqual(Object.keys(ok), Object.keys(failed));
  assert.deepEqual(decode(encode(failed)), { status: 503, cell: 'catalog', replica: 'catalog-1', error: 'replica overloaded' });
  assert.deepEqual(decode(encode(ok)), { status: 200, body: { items: 3 }, cell: 'catalog', replica: 'catalog-1' });
});
