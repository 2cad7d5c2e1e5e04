import type { LoggerService } from '@nestjs/common';

/** One captured log call. */
export interface CapturedLog {
  level: string;
  message: string;
  context?: string;
}

/** A Nest logger that keeps every line, at every level, for assertions. */
export class CapturingLogger implements LoggerService {
  readonly lines: CapturedLog[] = [];

  log(message: unknown, context?: string): void {
    this.push('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', [message, ...rest].map(String).join(' '), undefined);
  }
  warn(message: unknown, context?: string): void {
    this.push('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.push('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.push('verbose', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.push('fatal', message, context);
  }

  /** The lines of one level, optionally from one context. */
  at(level: string, context?: string): CapturedLog[] {
    return this.lines.filter(
      (line) => line.level === level && (!context || line.context === context),
    );
  }

  /** Everything captured, as one text. */
  text(): string {
    return this.lines
      .map((line) => `${line.level} [${line.context ?? ''}] ${line.message}`)
      .join('\n');
  }

  private push(level: string, message: unknown, context: string | undefined): void {
    this.lines.push({
      level,
      message: typeof message === 'string' ? message : JSON.stringify(message),
      context,
    });
  }
}
