import { DEMO_CONFIG_DEFAULTS, loadDemoConfig } from './demo.config';

const from = (env: Record<string, string>) => (key: string) => env[key];

describe('loadDemoConfig', () => {
  it('applies the defaults and generates a random token when nothing is set', () => {
    const first = loadDemoConfig(from({}));
    expect(first).toMatchObject({
      port: DEMO_CONFIG_DEFAULTS.port,
      host: '127.0.0.1',
      maxUploadBytes: 1024 ** 3,
      uploadsBucket: 'demo-uploads',
      apiTokenGenerated: true,
    });
    expect(first.apiToken).toMatch(/^[\w-]{32}$/);
    expect(loadDemoConfig(from({})).apiToken).not.toBe(first.apiToken);
  });

  it('reads every key from the environment', () => {
    expect(
      loadDemoConfig(
        from({
          PORT: '8080',
          HOST: '0.0.0.0',
          DEMO_API_TOKEN: 's3cr3t-token',
          DEMO_MAX_UPLOAD_BYTES: '1048576',
          DEMO_UPLOADS_BUCKET: 'page-uploads',
        }),
      ),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      apiToken: 's3cr3t-token',
      apiTokenGenerated: false,
      maxUploadBytes: 1048576,
      uploadsBucket: 'page-uploads',
    });
  });

  it('lists every problem at once, without the token', () => {
    const load = () =>
      loadDemoConfig(
        from({
          PORT: '70000',
          DEMO_MAX_UPLOAD_BYTES: '1e9',
          DEMO_API_TOKEN: 'has space',
          DEMO_UPLOADS_BUCKET: 'Bad_Name',
        }),
      );
    expect(load).toThrow(/PORT = "70000"/);
    expect(load).toThrow(/DEMO_MAX_UPLOAD_BYTES = "1e9"/);
    expect(load).toThrow(/DEMO_API_TOKEN = \(hidden\)/);
    expect(load).toThrow(/DEMO_UPLOADS_BUCKET = "Bad_Name"/);
    expect(load).not.toThrow(/has space/);
  });
});
