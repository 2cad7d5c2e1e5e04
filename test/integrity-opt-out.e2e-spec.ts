import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { BucketService } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { sha256, sha256File, writeRandomFile } from './support/files';
import {
  leftoverPartFiles,
  openUploads,
  serviceThrough,
  storedBytes,
  storedSha256,
  useFaultRig,
} from './support/http-faults';

const MIB = 1024 * 1024;

/*
 * `verifyChecksums: false` (module option, or per call) turns the MD5 checks off, and only them:
 * these tests show that it does (a flipped byte then goes through, as without any check) and
 * that the per-call option overrides the module's, both ways, and that lengths are still checked.
 */
describe('verifyChecksums: false', () => {
  const rig = useFaultRig('integrity-off');
  let service: BucketService;
  let close: () => Promise<void>;
  let source: string;
  let sourceSha: string;
  const single = randomBytes(3 * MIB);

  beforeAll(async () => {
    ({ service, close } = await serviceThrough(rig.proxy, {
      verifyChecksums: false,
      maxAttempts: 2,
      retryBaseDelayMs: 10,
      multipartThresholdBytes: 5 * MIB,
      partSizeBytes: 5 * MIB,
    }));
    source = join(rig.folder.path, 'source.bin');
    await writeRandomFile(source, 12 * MIB);
    sourceSha = await sha256File(source);
    await service.putObject(rig.bucket, 'single.bin', single);
  });

  afterAll(async () => {
    await close();
  });

  const partTwo = (key: string) => ({
    method: 'PUT',
    path: `/${rig.bucket}/${key}`,
    query: { partNumber: '2' },
  });
  const getOf = (key: string) => ({ method: 'GET', path: `/${rig.bucket}/${key}` });
  const target = (name: string) => join(rig.folder.path, name);

  it('uploadFile sends no Content-MD5: a byte flipped in part 2 is stored as sent (the trade-off the option makes)', async () => {
    const rule = rig.proxy.add(partTwo('unchecked.bin'), { kind: 'flipRequestByte' });
    await service.uploadFile(rig.bucket, source, 'unchecked.bin');
    expect({ matched: rule.matched, applied: rule.applied }).toEqual({ matched: 1, applied: 1 });
    const stored = await storedBytes(rig.direct, rig.bucket, 'unchecked.bin');
    expect(stored?.length).toBe(12 * MIB);
    expect(sha256(stored ?? Buffer.alloc(0))).not.toBe(sourceSha);
  });

  it('verifyChecksums: true on the call overrides the module: the same flip is refused, resent, and the stored sha256 is the file`s', async () => {
    const rule = rig.proxy.add({ ...partTwo('checked.bin'), nth: 1 }, { kind: 'flipRequestByte' });
    await service.uploadFile(rig.bucket, source, 'checked.bin', { verifyChecksums: true });
    expect({ matched: rule.matched, applied: rule.applied }).toEqual({ matched: 2, applied: 1 });
    expect(await storedSha256(rig.direct, rig.bucket, 'checked.bin')).toBe(sourceSha);
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
  });

  it('downloadFile does not hash: a flipped byte reaches the file; with verifyChecksums: true on the call it is caught and fetched again', async () => {
    rig.proxy.add({ ...getOf('single.bin'), nth: 1 }, { kind: 'flipResponseByte' });
    await service.downloadFile(rig.bucket, 'single.bin', target('unchecked.out'));
    expect(await sha256File(target('unchecked.out'))).not.toBe(sha256(single));

    rig.proxy.reset();
    const rule = rig.proxy.add({ ...getOf('single.bin'), nth: 1 }, { kind: 'flipResponseByte' });
    await service.downloadFile(rig.bucket, 'single.bin', target('checked.out'), {
      verifyChecksums: true,
    });
    expect(rule.matched).toBe(2);
    expect(await sha256File(target('checked.out'))).toBe(sha256(single));
  });

  it('lengths are still checked: a body cut short of its Content-Length fails downloadFile (ConnectionFailed) and leaves no file, and getObject`s stream too', async () => {
    rig.proxy.add(getOf('single.bin'), {
      kind: 'shortenResponse',
      bytes: 100,
      keepContentLength: true,
    });
    const code = await errorCodeOf(
      service.downloadFile(rig.bucket, 'single.bin', target('short.out')),
    );
    expect(code).toBe('ConnectionFailed');
    expect(existsSync(target('short.out'))).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);

    const { body } = await service.getObject(rig.bucket, 'single.bin');
    expect(await errorCodeOf(buffer(body))).toBe('ConnectionFailed');
  });

  it('getObject with verifyChecksums: true on the call destroys a flipped body with IntegrityError', async () => {
    rig.proxy.add(getOf('single.bin'), { kind: 'flipResponseByte' });
    const unchecked = await service.getObject(rig.bucket, 'single.bin');
    expect(sha256(await buffer(unchecked.body))).not.toBe(sha256(single));
    const checked = await service.getObject(rig.bucket, 'single.bin', { verifyChecksums: true });
    expect(await errorCodeOf(buffer(checked.body))).toBe('IntegrityError');
  });
});
