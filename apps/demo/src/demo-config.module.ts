import { Global, Module } from '@nestjs/common';
import { DEMO_CONFIG, demoConfigProvider } from './demo.config';

/** Provides the demo's settings ({@link DEMO_CONFIG}) to every module of the app, once. */
@Global()
@Module({ providers: [demoConfigProvider], exports: [DEMO_CONFIG] })
export class DemoConfigModule {}
