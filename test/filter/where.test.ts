/**
 * compileWhere and matches: errors that name the path in the predicate, the
 * documented rules for missing fields and types, and agreement with the brute-force
 * model (test/reference/filter.ts) over random records and predicates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { checkMetadata, checkSchema, compareCodePoints, compileWhere, matches, type Where } from '../../src/filter';
import { MAX_ID } from '../../storage/layout';
import { referenceMatches } from '../reference/filter';
import { SCHEMA, recordArb, whereArb } from '../helpers/filter-arbitraries';

/** Throws with a message (not "Name: message") matching `re`. */
const fails = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => re.test(e.message), String(re));

const m = (where: Where, record: Record<string, unknown> | undefined, id: bigint | number = 1n, schema = undefined) =>
  matches(compileWhere(where, schema), record as never, id);

test('checkMetadata names the path and the expected type', () => {
  const cases: [unknown, RegExp, ErrorConstructor][] = [
    [{ price: '12' }, /^metadata\[3\]\.price: expected number, got string$/, TypeError],
    [{ tenant: 5 }, /^metadata\[3\]\.tenant: expected string, got number$/, TypeError],
    [{ tags: ['a', 2] }, /^metadata\[3\]\.tags\[1\]: expected string, got number$/, TypeError],
    [{ price: NaN }, /^metadata\[3\]\.price: expected a finite number, got NaN$/, RangeError],
    [null, /^metadata\[3\]: expected an object/, TypeError],
  ];
  const schema = checkSchema({ price: 'number', tenant: 'string', tags: 'string[]' });
  for (const [record, re, Err] of cases) assert.throws(() => checkMetadata(record, schema, 'metadata[3]'), (e: Error) => e instanceof Err && re.test(e.message), String(re));
});

test('a schema types and indexes its fields; undeclared fields stay allowed in records and predicates', () => {
  const schema = checkSchema({ price: 'number' });
  checkMetadata({ price: 1, colour: 'red', tags: ['a'] }, schema, 'm');
  fails(() => checkMetadata({ colour: { a: 1 } }, schema, 'm'), /^m\.colour: expected a string, number, boolean, bigint or an array/);
  const where = compileWhere({ colour: 'red', price: { lt: 2 } }, schema);
  assert.equal(matches(where, { price: 1, colour: 'red' }, 1n), true);
  assert.equal(matches(where, { price: 1 }, 1n), false);
});

test('checkMetadata without a schema: no nested objects, undefined, null, mixed arrays, reserved or long names, huge records', () => {
  const bad: [unknown, RegExp][] = [
    [{ a: { b: 1 } }, /^m\.a: expected a string, number, boolean, bigint or an array of one of them, got an object$/],
    [{ a: undefined }, /^m\.a: .*got undefined$/],
    [{ a: null }, /^m\.a: .*got null$/],
    [{ a: [1, 'x'] }, /^m\.a\[1\]: expected number, got string$/],
    [{ a: [[1]] }, /^m\.a\[0\]: .*got an array$/],
    [{ id: 1 }, /^m\.id: 'id' is reserved/],
    [{ '': 1 }, /^m: a field name must not be empty$/],
    [{ ['x'.repeat(65)]: 1 }, /at most 64 UTF-8 bytes/],
    [{ a: 1n << 63n }, /^m\.a: a bigint must be a signed 64-bit integer/],
    [{ a: 'x'.repeat(70000) }, /^m: a record has at most 65536 bytes, got 70001$/],
    [{ a: new Array(1025).fill(1) }, /^m\.a: an array has at most 1024 elements/],
    [new Map(), /^m: expected an object of field → value, got an object$/],
  ];
  for (const [record, re] of bad) fails(() => checkMetadata(record, undefined, 'm'), re);
  checkMetadata({ a: 1, b: 'x', c: true, d: -5n, e: [], f: ['x', 'y'], ['odd name']: 0 }, undefined, 'm');
});

test('a string in a declared field is limited (it goes into an LMDB key); undeclared strings only by the record size', () => {
  const schema = checkSchema({ s: 'string' });
  fails(() => checkMetadata({ s: 'x'.repeat(513) }, schema, 'm'), /^m\.s: a string in a declared field has at most 512 UTF-8 bytes, got 513$/);
  checkMetadata({ s: 'x'.repeat(5000) }, undefined, 'm');
});

test('checkSchema refuses unknown types and reserved names', () => {
  fails(() => checkSchema({ price: 'float' }), /^fields\.price: expected a field type \(string, number, boolean, bigint, string\[\], .*got 'float'$/);
  fails(() => checkSchema({ not: 'string' }), /^fields\.not: 'not' is reserved/);
  fails(() => checkSchema([]), /^fields: expected an object/);
  assert.deepEqual(Object.keys(checkSchema({ b: 'string', a: 'number' })), ['a', 'b']);
});

test('compileWhere names the path of the bad part of the predicate', () => {
  const schema = checkSchema({ price: 'number', tenant: 'string', tags: 'string[]' });
  const cases: [unknown, RegExp, ErrorConstructor][] = [
    [{ or: [{ tenant: 'a' }, { price: { lt: 'x' } }] }, /^where\.or\[1\]\.price\.lt: expected number, got string$/, TypeError],
    [{ price: { below: 3 } }, /^where\.price\.below: unknown operator \(operators: eq, ne, in, notIn, lt, lte, gt, gte, has\)$/, TypeError],
    [{ tenant: { in: [] } }, /^where\.tenant\.in: expected a non-empty array, got \[\]$/, RangeError],
    [{ price: { has: 3 } }, /^where\.price\.has: has needs an array field; price is number$/, TypeError],
    [{ tags: { lt: 'a' } }, /^where\.tags\.lt: lt needs a scalar field; tags is string\[\]$/, TypeError],
    [{ tags: 'a' }, /^where\.tags: expected string\[\] \(use has for one element\), got string$/, TypeError],
    [{ and: [] }, /^where\.and: expected a non-empty array of predicates, got \[\]$/, RangeError],
    [{ or: { tenant: 'a' } }, /^where\.or: expected a non-empty array of predicates, got an object$/, TypeError],
    [{ not: [{ tenant: 'a' }] }, /^where\.not: expected a predicate object, got an array$/, TypeError],
    [{ and: [{ not: { price: { gt: NaN } } }] }, /^where\.and\[0\]\.not\.price\.gt: expected a finite number, got NaN$/, RangeError],
    [{ price: {} }, /^where\.price: expected a value or an object of operators/, TypeError],
    [{ id: { ne: 3 } }, /^where\.id\.ne: unknown operator for id \(operators: eq, in, notIn\)$/, TypeError],
    [{ id: -1 }, /^where\.id: an id is in \[0, 2\^63 - 1\], got -1$/, RangeError],
    [{ id: { in: ['3'] } }, /^where\.id\.in\[0\]: expected an id \(bigint or integer\), got string$/, TypeError],
    [{ tenant: undefined }, /^where\.tenant: expected a condition, got undefined$/, TypeError],
    [{ price: { gt: 1, gte: 2 } }, /^where\.price\.gte: gt and gte together$/, TypeError],
    [null, /^where: expected a predicate object, got null$/, TypeError],
  ];
  for (const [where, re, Err] of cases) {
    assert.throws(() => compileWhere(where as Where, schema), (e: Error) => e instanceof Err && re.test(e.message), String(re));
  }
  // Without a schema: the same shape errors, and the types inside one list must agree.
  fails(() => compileWhere({ a: { in: [1, 'x'] } }), /^where\.a\.in\[1\]: expected number, got string$/);
  fails(() => compileWhere({ a: { lt: true } }), /^where\.a\.lt: expected a number, bigint or string, got boolean$/);
  fails(() => compileWhere({ a: { lt: 1, gt: 'x' } }), /^where\.a\.gt: expected number like the other bounds, got string$/);
  fails(() => compileWhere({ a: { has: [1] } }), /^where\.a\.has: expected an element \(a scalar\), got an array$/);
});

test('missing fields: every field condition, ne and notIn included, fails; not() is the complement', () => {
  assert.equal(m({ tenant: { ne: 'a' } }, {}), false);
  assert.equal(m({ tenant: { notIn: ['a'] } }, undefined), false);
  assert.equal(m({ not: { tenant: 'a' } }, {}), true);
  assert.equal(m({ tenant: { ne: 'a' } }, { tenant: 'b' }), true);
  assert.equal(m({}, undefined), true);
  // The docs' recipe for "lacks the field": not of a condition every present string meets.
  assert.equal(m({ not: { tenant: { gte: '' } } }, {}), true);
  assert.equal(m({ not: { tenant: { gte: '' } } }, { tenant: '' }), false);
});

test('types are not mixed: 5 ≠ 5n, a string is not compared with a number, -0 equals 0', () => {
  assert.equal(m({ a: 5 }, { a: 5n }), false);
  assert.equal(m({ a: { ne: 5 } }, { a: 5n }), false);
  assert.equal(m({ a: { lt: 10 } }, { a: '5' }), false);
  assert.equal(m({ a: 0 }, { a: -0 }), true);
  assert.equal(m({ a: { lt: 0 } }, { a: -0 }), false);
  assert.equal(m({ a: { gte: -(1n << 63n) } }, { a: -(1n << 63n) }), true);
});

test('arrays: has looks for an element, eq compares whole arrays in order', () => {
  assert.equal(m({ tags: { has: 'new' } }, { tags: ['old', 'new'] }), true);
  assert.equal(m({ tags: { has: 'new' } }, { tags: 'new' }), false);
  assert.equal(m({ tags: ['a', 'b'] }, { tags: ['a', 'b'] }), true);
  assert.equal(m({ tags: ['b', 'a'] }, { tags: ['a', 'b'] }), false);
  assert.equal(m({ tags: { ne: ['b'] } }, { tags: [] }), true);
  assert.equal(m({ tags: [] }, { tags: [] }), true);
  assert.equal(m({ tags: { ne: [1] } }, { tags: ['x'] }), false);
});

test('strings compare by code point (UTF-8 byte order), not by UTF-16 unit', () => {
  assert.ok(compareCodePoints('\uE000', '\u{1F600}') < 0);
  assert.ok('\uE000' > '\u{1F600}'); // what plain JS comparison says
  assert.equal(m({ s: { lt: '\u{1F600}' } }, { s: '\uE000' }), true);
  assert.equal(m({ s: { lt: 'ab' } }, { s: 'a' }), true);
});

test('id conditions over bigint or number ids', () => {
  assert.equal(m({ id: 3 }, undefined, 3n), true);
  assert.equal(m({ id: { in: [1n, 2] } }, {}, 2), true);
  assert.equal(m({ id: { notIn: [1n, 2] } }, {}, 2n), false);
  assert.equal(m({ id: MAX_ID }, {}, MAX_ID), true);
});

test('matches agrees with the brute-force model, without a schema and with one', () => {
  for (const schema of [undefined, SCHEMA]) {
    fc.assert(
      fc.property(whereArb(schema, 3), fc.array(fc.tuple(recordArb(schema), fc.bigInt(0n, 7n)), { minLength: 1, maxLength: 20 }), (where, rows) => {
        const compiled = compileWhere(where, schema);
        for (const [record, id] of rows) {
          assert.equal(matches(compiled, record, id), referenceMatches(where, record, id), JSON.stringify(where, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
        }
      }),
      { numRuns: 300, seed: 16 },
    );
  }
});
