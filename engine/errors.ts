/**
 * Petri's small error taxonomy. Errors crossing a process or API boundary are matched by
 * `name` (and `code`), never by `instanceof`.
 */

/** One located problem in a user file: `file:line:col: path: message`. */
export interface Issue {
  file?: string;
  line?: number;
  col?: number;
  /** JSON-pointer-like path inside the document, e.g. `cells[0].replicas`. */
  path: string;
  message: string;
}

/** Formats an issue the way editors and CI logs can jump to it. */
export function formatIssue(issue: Issue): string {
  const where = issue.file ? `${issue.file}:${issue.line ?? 1}:${issue.col ?? 1}: ` : '';
  return `${where}${issue.path || '(root)'}: ${issue.message}`;
}

/** Base class: every Petri error has a stable `code` for APIs and tests. */
export class PetriError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PetriError';
    this.code = code;
  }
}

/** Invalid user input (manifest, scenario, API body, CLI flag). Exit code 2, HTTP 400. */
export class ValidationError extends PetriError {
  readonly issues: Issue[];
  constructor(issues: Issue[], options?: { cause?: unknown }) {
    super(issues.map(formatIssue).join('\n'), 'invalid-input', options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/**
 * A well-formed request whose document (a scenario's YAML) does not validate. HTTP 422 with the
 * located issues.
 */
export class UnprocessableError extends ValidationError {
  constructor(issues: Issue[], options?: { cause?: unknown }) {
    super(issues, options);
    this.name = 'UnprocessableError';
  }
}

/** A named thing (cell, fault, run…) does not exist. HTTP 404. */
export class NotFoundError extends PetriError {
  constructor(what: string) {
    super(`${what} not found`, 'not-found');
    this.name = 'NotFoundError';
  }
}

/** The request conflicts with the current state (e.g. a cell name already in use). HTTP 409. */
export class ConflictError extends PetriError {
  constructor(message: string) {
    super(message, 'conflict');
    this.name = 'ConflictError';
  }
}

/** A real dependency (nats-server, SQLite, ONNX model) is missing or failed. */
export class DependencyError extends PetriError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'dependency', options);
    this.name = 'DependencyError';
  }
}

/** True when `err` is an Error whose `name` matches (works across realms and processes). */
export function isNamedError(err: unknown, name: string): err is Error {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/** Message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

let dropLogger: (err: unknown) => void = (err) => {
  console.error('petri: background task failed:', err);
};

/** Sets where rejections of dropped promises are reported (the engine logger). */
export function setDropLogger(fn: (err: unknown) => void): void {
  dropLogger = fn;
}

/** Deliberate fire-and-forget: the one place a promise may float. Rejections are logged. */
export function drop(promise: Promise<unknown> | undefined): void {
  promise?.catch((err: unknown) => dropLogger(err));
}
