import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { BucketError, BucketService, InjectBucketClient } from 'nest-bucket';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';

/** How long a browser may cache the answer to a CORS preflight, in seconds. */
const CORS_MAX_AGE_SECONDS = 600;

/**
 * The bucket that the page's direct uploads go to (`DEMO_UPLOADS_BUCKET`). On first use it is
 * created when missing and given a CORS rule for the page's origins, since the browser sends the
 * bytes straight to storage, which is another origin (another port) than the page's. A failure
 * is retried on the next upload.
 */
@Injectable()
export class UploadsBucket {
  private readonly logger = new Logger('UploadsBucket');
  private prepared: Promise<void> | undefined;
  private storageOriginOnce: Promise<string> | undefined;

  constructor(
    private readonly storage: BucketService,
    @InjectBucketClient() private readonly client: S3Client,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The bucket's name. */
  get name(): string {
    return this.config.uploadsBucket;
  }

  /** Creates the bucket if needed and sets its CORS rule, once (again after a failure). */
  prepare(): Promise<void> {
    if (!this.prepared) {
      const preparing = this.createAndAllowPage();
      this.prepared = preparing;
      preparing.catch((error: unknown) => {
        this.prepared = undefined;
        this.logger.warn(
          `Could not prepare bucket ${this.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    return this.prepared;
  }

  /**
   * The origin browsers send the bytes to (`http://127.0.0.1:9000`, or `publicEndpoint`'s), read
   * from a URL signed for the bucket (signing is local: nothing is sent). The page's CSP allows it.
   */
  storageOrigin(): Promise<string> {
    if (!this.storageOriginOnce) {
      const origin = this.storage
        .getPresignedUrl(this.name, 'origin-probe')
        .then((url) => new URL(url).origin);
      this.storageOriginOnce = origin;
      origin.catch(() => {
        this.storageOriginOnce = undefined;
      });
    }
    return this.storageOriginOnce;
  }

  /**
   * The page's origins: the demo's own address, as `http://127.0.0.1:<port>` and
   * `http://localhost:<port>` (and `HOST`'s, when it is a specific address), with the port it
   * actually listens on.
   */
  pageOrigins(): string[] {
    const server = this.adapterHost.httpAdapter.getHttpServer() as {
      address(): AddressInfo | string | null;
    };
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : this.config.port;
    const hosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
    const host = this.config.host;
    if (host !== '0.0.0.0' && host !== '::') hosts.add(host.includes(':') ? `[${host}]` : host);
    return [...hosts].map((name) => `http://${name}:${port}`);
  }

  private async createAndAllowPage(): Promise<void> {
    try {
      await this.storage.createBucket(this.name);
      this.logger.log(`Created bucket ${this.name} for the page's direct uploads`);
    } catch (error) {
      if (!(error instanceof BucketError && error.code === 'BucketAlreadyExists')) throw error;
    }
    await this.client.send(
      new PutBucketCorsCommand({
        Bucket: this.name,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: this.pageOrigins(),
              AllowedMethods: ['GET', 'PUT', 'POST'],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag', 'Location'],
              MaxAgeSeconds: CORS_MAX_AGE_SECONDS,
            },
          ],
        },
      }),
    );
  }
}
