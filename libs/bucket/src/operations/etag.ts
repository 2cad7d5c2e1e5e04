/** Strips the quotes S3 puts around ETags. @internal */
export function unquote(etag: string | undefined): string | undefined {
  return etag !== undefined && etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"')
    ? etag.slice(1, -1)
    : etag;
}
