import { etagOfUpload, isMultipart, multipartEtag, singlePartEtag } from './s3-etag';

const MIB = 1024 * 1024;

describe('S3 ETags', () => {
  it('is the MD5 of the bytes for one part', () => {
    expect(singlePartEtag(Buffer.from(''))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(singlePartEtag(Buffer.from('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  // Values that the local Ceph RGW gave for these bodies.
  it.each([
    [Buffer.alloc(5 * MIB + 1, 3), 5 * MIB, '9396ff4e1859e91767bad9ba2ebdc632-2'],
    [Buffer.alloc(17 * MIB, 9), 5 * MIB, 'aee783fe82adf52c03f3149ff8686a89-4'],
    [Buffer.alloc(17 * MIB, 9), 8 * MIB, '88f8c4b82cd445a08acae74e1fc08c0e-3'],
  ])(
    'is the MD5 of the parts’ MD5s and the part count for several parts (%#)',
    (data, part, etag) => {
      expect(multipartEtag(data, part)).toBe(etag);
    },
  );

  it('follows BucketService: one PutObject up to the threshold, else parts unless it fits in one', () => {
    const shape = { multipartThresholdBytes: 16 * MIB, partSizeBytes: 8 * MIB };
    expect(isMultipart(16 * MIB, { ...shape, announcedBytes: 16 * MIB })).toBe(false);
    expect(isMultipart(17 * MIB, { ...shape, announcedBytes: 17 * MIB })).toBe(true);
    // A stream of unknown length goes through lib-storage, which puts one part in one request.
    expect(isMultipart(8 * MIB, { ...shape, announcedBytes: undefined })).toBe(false);
    expect(isMultipart(8 * MIB + 1, { ...shape, announcedBytes: undefined })).toBe(true);
    const data = Buffer.alloc(8 * MIB + 1, 1);
    expect(etagOfUpload(data, { ...shape, announcedBytes: undefined })).toMatch(/-2$/);
    expect(etagOfUpload(data, { ...shape, announcedBytes: data.length })).toBe(
      singlePartEtag(data),
    );
  });
});
