import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { BucketService } from 'nest-bucket';

/**
 * Buckets: list, create, delete. Creating and deleting need the bearer token (see
 * `BearerTokenGuard`); library errors become statuses in `ApiExceptionFilter`.
 */
@Controller('buckets')
export class BucketsController {
  constructor(private readonly storage: BucketService) {}

  /** `GET /buckets`: `{ buckets: string[] }`. */
  @Get()
  async list(): Promise<{ buckets: string[] }> {
    return { buckets: await this.storage.getBucketNames() };
  }

  /** `POST /buckets/:bucket`: 201, or 409 `BucketAlreadyExists`, 400 `InvalidBucketName`. */
  @Post(':bucket')
  async create(@Param('bucket') bucket: string): Promise<{ bucket: string }> {
    await this.storage.createBucket(bucket);
    return { bucket };
  }

  /** `DELETE /buckets/:bucket`: 204, or 404 `NoSuchBucket`, 409 `BucketNotEmpty`. */
  @Delete(':bucket')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('bucket') bucket: string): Promise<void> {
    await this.storage.deleteBucket(bucket);
  }
}
