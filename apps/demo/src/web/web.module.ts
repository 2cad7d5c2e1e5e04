import { Module } from '@nestjs/common';
import { WebAssets } from './web-assets';
import { WebController } from './web.controller';

/** The demo's file-browser page at `/` (see `docs/web.md`). */
@Module({
  controllers: [WebController],
  providers: [WebAssets],
})
export class WebModule {}
