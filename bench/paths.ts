import { resolve } from 'node:path';

/**
 * The repository's root folder. The compiled bench runs from `dist/bench/bench/`, three levels
 * below it; `npm run bench` also runs with the root as working directory.
 */
export const ROOT = resolve(__dirname, '..', '..', '..');

/** The script that starts and stops the local S3 server. */
export const LOCAL_S3_SCRIPT = resolve(ROOT, 'scripts', 'local-s3.sh');

/** The Python helper that times boto3's transfers. */
export const BOTO3_SCRIPT = resolve(ROOT, 'bench', 'boto3_transfer.py');

/** Where the figures of the last run go; docs/performance.md quotes them. */
export const RESULTS_FILE = resolve(ROOT, 'bench', 'results', 'latest.json');
