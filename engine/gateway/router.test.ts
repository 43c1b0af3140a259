import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathway } from '../organism/index.ts';
import { Router } from './router.ts';

const router = new Router(
  [
    'GET /products',
    'GET /products/:id',
    'GET /products/featured',
    'POST /products',
    'GET /static/*',
    'GET /users/:uid/orders/:oid',
  ].map((route) => pathway({ route, to: 'a.b' })),
);

function routeOf(method: string, path: string): string | number {
  const m = router.match(method, path);
  return 'pathway' in m ? m.pathway.route : m.status;
}

test('static routes win over parameters; parameters are decoded', () => {
  assert.equal(routeOf('GET', '/products/featured'), 'GET /products/featured');
  const m = router.match('GET', '/products/a%20b');
  assert.ok('pathway' in m);
  assert.equal(m.pathway.route, 'GET /products/:id');
  assert.deepEqual(m.params, { id: 'a b' });
  const two = router.match('GET', '/users/7/orders/9');
  assert.ok('pathway' in two);
  assert.deepEqual(two.params, { uid: '7', oid: '9' });
});

test('a trailing * takes the rest of the path', () => {
  const m = router.match('GET', '/static/css/site.css');
  assert.ok('pathway' in m);
  assert.equal(m.params['*'], 'css/site.css');
});

test('unknown paths are 404, known paths with another method are 405 with Allow', () => {
  assert.equal(routeOf('GET', '/nope'), 404);
  assert.equal(routeOf('GET', '/products/1/extra'), 404);
  const m = router.match('DELETE', '/products');
  assert.ok(!('pathway' in m));
  assert.equal(m.status, 405);
  assert.deepEqual(m.allow?.sort(), ['GET', 'POST']);
  assert.equal(routeOf('GET', '/products/'), 'GET /products', 'a trailing slash is the same path');
});
