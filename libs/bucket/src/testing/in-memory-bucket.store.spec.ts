import { compareKeys, InMemoryBucketStore, type StoredObject } from './in-memory-bucket.store';

function object(key: string): StoredObject {
  return {
    key,
    data: Buffer.from(key),
    etag: 'e',
    contentType: 'text/plain',
    metadata: {},
    lastModified: new Date(0),
  };
}

function storeWith(keys: string[]): InMemoryBucketStore {
  const store = new InMemoryBucketStore();
  store.createBucket('b');
  for (const key of keys) store.putObject('b', object(key));
  return store;
}

/** Every page of a listing, following the continuation tokens. */
function pages(
  store: InMemoryBucketStore,
  query: Parameters<InMemoryBucketStore['listObjects']>[1],
) {
  const all: { keys: string[]; prefixes: string[] }[] = [];
  let continuationToken: string | undefined;
  do {
    const page = store.listObjects('b', { ...query, continuationToken });
    if (!page) throw new Error('no bucket');
    all.push({ keys: page.objects.map((o) => o.key), prefixes: page.commonPrefixes });
    expect(page.isTruncated).toBe(page.nextContinuationToken !== undefined);
    continuationToken = page.nextContinuationToken;
  } while (continuationToken !== undefined);
  return all;
}

describe('InMemoryBucketStore', () => {
  it('orders keys by UTF-8 bytes, not by UTF-16 code units', () => {
    const keys = ['\u{1f600}', '\uff21', '\u00e9', 'z', 'Z', 'a/b', 'a-b'];
    expect([...keys].sort(compareKeys)).toEqual([
      'Z',
      'a-b',
      'a/b',
      'z',
      '\u00e9',
      '\uff21',
      '\u{1f600}',
    ]);
    // JavaScript's own order puts the emoji (a surrogate pair, D83D) before U+FF21.
    expect([...keys].sort().indexOf('\u{1f600}')).toBeLessThan([...keys].sort().indexOf('\uff21'));
    expect(
      storeWith(keys)
        .objectsOf('b')
        .map((o) => o.key),
    ).toEqual([...keys].sort(compareKeys));
  });

  it('lists by prefix, in pages of maxKeys, with continuation tokens', () => {
    const keys = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const store = storeWith([...keys, 'other']);
    const listed = pages(store, { prefix: 'k', maxKeys: 10 });
    expect(listed.map((p) => p.keys.length)).toEqual([10, 10, 5]);
    expect(listed.flatMap((p) => p.keys)).toEqual(keys);
    expect(pages(store, { maxKeys: 5000 })[0].keys).toHaveLength(26);
  });

  it('groups keys by a delimiter into common prefixes, each counting as one entry', () => {
    const store = storeWith(['a', 'd/1', 'd/2', 'd/e/3', 'f/', 'f/x', 'g#1', 'g#2#3', 'z']);
    expect(pages(store, { delimiter: '/' })).toEqual([
      { keys: ['a', 'g#1', 'g#2#3', 'z'], prefixes: ['d/', 'f/'] },
    ]);
    expect(pages(store, { prefix: 'd/', delimiter: '/' })).toEqual([
      { keys: ['d/1', 'd/2'], prefixes: ['d/e/'] },
    ]);
    expect(pages(store, { prefix: 'd', delimiter: '/' })).toEqual([{ keys: [], prefixes: ['d/'] }]);
    expect(pages(store, { delimiter: '#' })[0].prefixes).toEqual(['g#']);
    // One entry a page: a common prefix is never split across pages, nor repeated.
    expect(pages(store, { delimiter: '/', maxKeys: 1 })).toEqual([
      { keys: ['a'], prefixes: [] },
      { keys: [], prefixes: ['d/'] },
      { keys: [], prefixes: ['f/'] },
      { keys: ['g#1'], prefixes: [] },
      { keys: ['g#2#3'], prefixes: [] },
      { keys: ['z'], prefixes: [] },
    ]);
  });

  it('starts after a key, in byte order', () => {
    const store = storeWith(['a', 'b', 'c', '\u00e9']);
    expect(pages(store, { startAfter: 'b' })[0].keys).toEqual(['c', '\u00e9']);
    expect(pages(store, { startAfter: 'z' })[0].keys).toEqual(['\u00e9']);
  });

  it('returns nothing, untruncated, for maxKeys 0, and undefined for a missing bucket', () => {
    const store = storeWith(['a']);
    expect(store.listObjects('b', { maxKeys: 0 })).toEqual({
      objects: [],
      commonPrefixes: [],
      isTruncated: false,
    });
    expect(store.listObjects('missing')).toBeUndefined();
  });

  it('replaces an object in place, deletes idempotently, and deletes only empty buckets', () => {
    const store = storeWith(['a', 'b']);
    store.putObject('b', { ...object('a'), etag: 'new' });
    expect(store.objectsOf('b').map((o) => [o.key, o.etag])).toEqual([
      ['a', 'new'],
      ['b', 'e'],
    ]);
    expect(store.deleteObject('b', 'absent')).toBe(true);
    expect(store.deleteObject('missing', 'a')).toBe(false);
    expect(store.deleteBucket('b')).toBe('not-empty');
    expect(store.emptyBucket('b')).toBe(true);
    expect(store.deleteBucket('b')).toBe('deleted');
    expect(store.deleteBucket('b')).toBe('missing');
    expect(store.createBucket('b')).toBe(true);
    expect(store.createBucket('b')).toBe(false);
    expect(store.putObject('missing', object('x'))).toBe(false);
  });
});
