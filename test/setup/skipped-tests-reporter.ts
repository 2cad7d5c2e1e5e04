import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints every skipped test at the end of the run with its full name, which states why it is
 * skipped (for example "skipped when BUCKET_HOST points at an outside server"), so that no test
 * is skipped silently. Used beside the default reporter.
 */
export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped')
          skipped.push(`  ${module.relativeModuleId} > ${test.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    process.stdout.write(`\n${skipped.length} skipped test(s), each with its reason:\n`);
    process.stdout.write(`${skipped.join('\n')}\n`);
  }
}
