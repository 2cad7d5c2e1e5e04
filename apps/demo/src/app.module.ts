import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { BucketModule } from 'nest-bucket';
import { BearerTokenGuard } from './auth/bearer-token.guard';
import { BucketsController } from './buckets/buckets.controller';
import { DemoConfigModule } from './demo-config.module';
import { DirectUploadsModule } from './direct-uploads/direct-uploads.module';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { FilesController } from './files/files.controller';
import { ObjectUploader } from './files/object-uploader';
import { HealthController } from './health/health.controller';
import { WebModule } from './web/web.module';

/**
 * The demo: an object-storage HTTP API over `nest-bucket`. Every setting comes from the
 * environment (or a `.env` file): the storage's `BUCKET_*` keys and the demo's own `PORT`,
 * `HOST`, `DEMO_API_TOKEN`, `DEMO_MAX_UPLOAD_BYTES` and `DEMO_UPLOADS_BUCKET`. The page's large
 * files go straight to storage through {@link DirectUploadsModule}.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    BucketModule.forRootAsync({ isGlobal: true }),
    DemoConfigModule,
    TerminusModule.forRoot({ errorLogStyle: 'pretty' }),
    DirectUploadsModule,
    WebModule,
  ],
  controllers: [HealthController, BucketsController, FilesController],
  providers: [
    ObjectUploader,
    { provide: APP_GUARD, useClass: BearerTokenGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
})
export class AppModule {}
