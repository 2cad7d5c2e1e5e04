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
 * What a {@link BucketHandle} needs from its service: the file operations of `BucketService`
 * that take the bucket as their first argument. `BucketService` implements it (and so does the
 * in-memory fake of `nest-bucket/testing`); it is its own type so that this file need not import
 * the service.
 */
export interface BucketFileOperations {
  /** See {@link BucketService.uploadFile}. */
  uploadFile(
    bucket: string,
    filePath: string,
    key?: string,
    options?: UploadFileOptions,
  ): Promise<UploadFileResult>;
  /** See {@link BucketService.downloadFile}. */
  downloadFile(
    bucket: string,
    key: string,
    destinationPath: string,
    options?: DownloadFileOptions,
  ): Promise<DownloadFileResult>;
  /** See {@link BucketService.deleteFile}. */
  deleteFile(bucket: string, key: string): Promise<void>;
  /** See {@link BucketService.deleteFiles}. */
  deleteFiles(
    bucket: string,
    keys: readonly string[],
    options?: { signal?: AbortSignal },
  ): Promise<DeleteFilesResult>;
  /** See {@link BucketService.getBucketFiles}. */
  getBucketFiles(bucket: string, prefix?: string): Promise<string[]>;
  /** See {@link BucketService.getBucketFile}. */
  getBucketFile(bucket: string, key: string, options?: CustomerKeyOption): Promise<BucketFileInfo>;
  /** See {@link BucketService.fileExists}. */
  fileExists(bucket: string, key: string, options?: CustomerKeyOption): Promise<boolean>;
  /** See {@link BucketService.listFiles}. */
  listFiles(
    bucket: string,
    options?: ListFilesOptions,
  ): AsyncGenerator<ListedFile, void, undefined>;
  /** See {@link BucketService.listFolders}. */
  listFolders(bucket: string, options?: { prefix?: string; delimiter?: string }): Promise<string[]>;
  /** See {@link BucketService.putObject}. */
  putObject(
    bucket: string,
    key: string,
    body: ObjectBody,
    options?: PutObjectOptions,
  ): Promise<PutObjectResult>;
  /** See {@link BucketService.getObject}. */
  getObject(bucket: string, key: string, options?: GetObjectOptions): Promise<GetObjectResult>;
  /** See {@link BucketService.copyFile}. */
  copyFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options?: CopyFileOptions,
  ): Promise<PutObjectResult>;
  /** See {@link BucketService.moveFile}. */
  moveFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options?: CopyFileOptions,
  ): Promise<PutObjectResult>;
  /** See {@link BucketService.getPresignedUrl}. */
  getPresignedUrl(bucket: string, key: string, options?: PresignedUrlOptions): Promise<string>;
}

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
    private readonly service: BucketFileOperations,
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
