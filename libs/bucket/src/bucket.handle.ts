import type { BucketService } from './bucket.service';
import type {
  BucketFileInfo,
  CustomerKeyOption,
  CopyFileOptions,
  DeleteFilesResult,
  DownloadFileOptions,
  DownloadFileResult,
  GetObjectOptions,
  GetObjectResult,
  ListFilesOptions,
  ListedFile,
  ObjectBody,
  PresignedUrlOptions,
  PutObjectOptions,
  PutObjectResult,
  UploadFileOptions,
  UploadFileResult,
} from './bucket.types';

/**
 * The file operations of `BucketService` on one bucket, without the bucket argument:
 * `const media = bucketService.bucket('media'); await media.putObject('a.png', body);`.
 * Get one from {@link BucketService.bucket}; it holds no state of its own.
 */
export class BucketHandle {
  /**
   * @param service - the service that performs the operations
   * @param name - the bucket, already checked against S3's naming rules
   */
  constructor(
    private readonly service: BucketService,
    readonly name: string,
  ) {}

  /** See {@link BucketService.uploadFile}. */
  uploadFile(
    filePath: string,
    key?: string,
    options?: UploadFileOptions,
  ): Promise<UploadFileResult> {
    return this.service.uploadFile(this.name, filePath, key, options);
  }

  /** See {@link BucketService.downloadFile}. */
  downloadFile(
    key: string,
    destinationPath: string,
    options?: DownloadFileOptions,
  ): Promise<DownloadFileResult> {
    return this.service.downloadFile(this.name, key, destinationPath, options);
  }

  /** See {@link BucketService.deleteFile}. */
  deleteFile(key: string): Promise<void> {
    return this.service.deleteFile(this.name, key);
  }

  /** See {@link BucketService.deleteFiles}. */
  deleteFiles(
    keys: readonly string[],
    options?: { signal?: AbortSignal },
  ): Promise<DeleteFilesResult> {
    return this.service.deleteFiles(this.name, keys, options);
  }

  /** See {@link BucketService.getBucketFiles}. */
  getFiles(prefix?: string): Promise<string[]> {
    return this.service.getBucketFiles(this.name, prefix);
  }

  /** See {@link BucketService.getBucketFile}. */
  getFile(key: string, options?: CustomerKeyOption): Promise<BucketFileInfo> {
    return this.service.getBucketFile(this.name, key, options);
  }

  /** See {@link BucketService.fileExists}. */
  fileExists(key: string, options?: CustomerKeyOption): Promise<boolean> {
    return this.service.fileExists(this.name, key, options);
  }

  /** See {@link BucketService.listFiles}. */
  listFiles(options?: ListFilesOptions): AsyncGenerator<ListedFile, void, undefined> {
    return this.service.listFiles(this.name, options);
  }

  /** See {@link BucketService.listFolders}. */
  listFolders(options?: { prefix?: string; delimiter?: string }): Promise<string[]> {
    return this.service.listFolders(this.name, options);
  }

  /** See {@link BucketService.putObject}. */
  putObject(key: string, body: ObjectBody, options?: PutObjectOptions): Promise<PutObjectResult> {
    return this.service.putObject(this.name, key, body, options);
  }

  /** See {@link BucketService.getObject}. */
  getObject(key: string, options?: GetObjectOptions): Promise<GetObjectResult> {
    return this.service.getObject(this.name, key, options);
  }

  /** Copies an object within this bucket. See {@link BucketService.copyFile}. */
  copyFile(
    sourceKey: string,
    destinationKey: string,
    options?: CopyFileOptions,
  ): Promise<PutObjectResult> {
    return this.service.copyFile(this.name, sourceKey, this.name, destinationKey, options);
  }

  /** Moves an object within this bucket. See {@link BucketService.moveFile}. */
  moveFile(
    sourceKey: string,
    destinationKey: string,
    options?: CopyFileOptions,
  ): Promise<PutObjectResult> {
    return this.service.moveFile(this.name, sourceKey, this.name, destinationKey, options);
  }

  /** See {@link BucketService.getPresignedUrl}. */
  getPresignedUrl(key: string, options?: PresignedUrlOptions): Promise<string> {
    return this.service.getPresignedUrl(this.name, key, options);
  }
}
