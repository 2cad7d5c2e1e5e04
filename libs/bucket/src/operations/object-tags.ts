import {
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';

/** An object's address. @internal */
export interface ObjectAddress {
  Bucket: string;
  Key: string;
}

/** A tag set from the `x-amz-tagging` form (`a=1&b=2`) or from the tags an option gives. @internal */
export function tagSetOf(tags: string | Record<string, string>): Tag[] {
  const entries = typeof tags === 'string' ? [...new URLSearchParams(tags)] : Object.entries(tags);
  return entries.map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Sets the tags of an object that a multipart upload or copy has just completed: Ceph RGW 16
 * ignores `x-amz-tagging` on CreateMultipartUpload (AWS honours it; setting them again is
 * harmless). If that fails, the object is deleted (best effort) before the error is rethrown,
 * so that a failed upload does not leave an untagged object behind, which a tag-based lifecycle
 * or access rule would then treat wrongly.
 * @internal
 */
export async function tagCompletedObject(
  client: S3Client,
  object: ObjectAddress,
  tagging: string | Tag[],
  signal?: AbortSignal,
): Promise<void> {
  const TagSet = typeof tagging === 'string' ? tagSetOf(tagging) : tagging;
  try {
    await client.send(new PutObjectTaggingCommand({ ...object, Tagging: { TagSet } }), {
      abortSignal: signal,
    });
  } catch (error) {
    await client.send(new DeleteObjectCommand(object)).catch(() => undefined);
    throw error;
  }
}

/** An object's tags, for a copy in parts to carry them over as one `CopyObject` does. @internal */
export async function tagsOf(
  client: S3Client,
  object: ObjectAddress,
  signal?: AbortSignal,
): Promise<Tag[]> {
  const output = await client.send(new GetObjectTaggingCommand(object), { abortSignal: signal });
  return output.TagSet ?? [];
}
