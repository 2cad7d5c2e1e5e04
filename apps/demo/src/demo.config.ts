import { Logger, type FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { bucketNameProblem } from 'nest-bucket';

/** The demo's own settings (the storage settings are the library's `BUCKET_*` keys). */
export interface DemoConfig {
  /** The HTTP port. Default: 3000. Env: `PORT`. */
  readonly port: number;
  /** The address to listen on. Default: `127.0.0.1` (this machine only). Env: `HOST`. */
  readonly host: string;
  /**
   * The bearer token that mutating routes require. Default: a random token generated at boot
   * and logged once. Env: `DEMO_API_TOKEN`.
   */
  readonly apiToken: string;
  /** Whether {@link DemoConfig.apiToken} was generated at boot rather than configured. */
  readonly apiTokenGenerated: boolean;
  /** The largest upload accepted, in bytes; larger ones get 413. Default: 1 GiB. Env: `DEMO_MAX_UPLOAD_BYTES`. */
  readonly maxUploadBytes: number;
  /**
   * The bucket that the page's direct uploads (browser → storage, with Uppy) go to; created, with
   * a CORS rule for the page, on first use. Default: `demo-uploads`. Env: `DEMO_UPLOADS_BUCKET`.
   */
  readonly uploadsBucket: string;
}

/** The defaults of the demo's settings. */
export const DEMO_CONFIG_DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  maxUploadBytes: 1024 ** 3,
  uploadsBucket: 'demo-uploads',
} as const;

/** The injection token of the {@link DemoConfig}. */
export const DEMO_CONFIG = 'DEMO:CONFIG';

const MAX_UPLOAD_BYTES_LIMIT = 5 * 1024 ** 4; // S3's largest object, 5 TiB

function readInteger(
  raw: unknown,
  key: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${key} = ${JSON.stringify(raw)}: must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

/**
 * Reads and checks the demo's settings through a getter such as `ConfigService.get`. Throws one
 * error that lists every problem; the token's value never appears in it.
 */
export function loadDemoConfig(get: (key: string) => unknown): DemoConfig {
  const problems: string[] = [];
  const port = readInteger(get('PORT'), 'PORT', 0, 65535, problems);
  const maxUploadBytes = readInteger(
    get('DEMO_MAX_UPLOAD_BYTES'),
    'DEMO_MAX_UPLOAD_BYTES',
    0,
    MAX_UPLOAD_BYTES_LIMIT,
    problems,
  );
  const rawHost = get('HOST');
  const host = typeof rawHost === 'string' && rawHost.trim() !== '' ? rawHost.trim() : undefined;
  const rawToken = get('DEMO_API_TOKEN');
  const token = typeof rawToken === 'string' && rawToken !== '' ? rawToken : undefined;
  if (token !== undefined && (token.trim() !== token || /\s/.test(token))) {
    problems.push('DEMO_API_TOKEN = (hidden): must not contain white space');
  }
  const rawBucket = get('DEMO_UPLOADS_BUCKET');
  const uploadsBucket =
    typeof rawBucket === 'string' && rawBucket.trim() !== '' ? rawBucket.trim() : undefined;
  const bucketProblem = uploadsBucket === undefined ? undefined : bucketNameProblem(uploadsBucket);
  if (bucketProblem !== undefined) {
    problems.push(`DEMO_UPLOADS_BUCKET = ${JSON.stringify(uploadsBucket)}: ${bucketProblem}`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid demo configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    port: port ?? DEMO_CONFIG_DEFAULTS.port,
    host: host ?? DEMO_CONFIG_DEFAULTS.host,
    apiToken: token ?? randomBytes(24).toString('base64url'),
    apiTokenGenerated: token === undefined,
    maxUploadBytes: maxUploadBytes ?? DEMO_CONFIG_DEFAULTS.maxUploadBytes,
    uploadsBucket: uploadsBucket ?? DEMO_CONFIG_DEFAULTS.uploadsBucket,
  };
}

/** Provides {@link DemoConfig} from `ConfigService`, and logs a generated token once. */
export const demoConfigProvider: FactoryProvider<DemoConfig> = {
  provide: DEMO_CONFIG,
  useFactory: (config: ConfigService): DemoConfig => {
    const demo = loadDemoConfig((key) => config.get<unknown>(key));
    if (demo.apiTokenGenerated) {
      new Logger('DemoConfig').log(
        `DEMO_API_TOKEN is not set; this run's API token is ${demo.apiToken}`,
      );
    }
    return demo;
  },
  inject: [ConfigService],
};
