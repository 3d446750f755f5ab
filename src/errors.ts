/**
 * The base class of fastnn's typed errors (`instanceof NnError` catches them all). Messages name the operation, what
 * was expected and what was received.
 */
export class NnError extends Error {
  /** 'NnError' */
  override name = 'NnError';
}
/** Wrong dimensions, lengths, or values (ragged rows, NaN, a target outside the loss's domain). */
export class ShapeError extends NnError {
  /** 'ShapeError' */
  override name = 'ShapeError';
}
/** A backend could not load, or a Mat was used with a backend that does not own it. */
export class BackendError extends NnError {
  /** 'BackendError' */
  override name = 'BackendError';
}
/** Use of a network, backend or Mat after dispose()/free(). */
export class DisposedError extends NnError {
  /** 'DisposedError' */
  override name = 'DisposedError';
}
/**
 * An estimator (Classifier, Regressor) was used before fit: predict, predictProba, score, classes, network, toJSON and
 * toONNX need a fitted model (scikit-learn's NotFittedError). Subclass of NnError.
 */
export class NotFittedError extends NnError {
  /** 'NotFittedError' */
  override name = 'NotFittedError';
}
/** Training failed: the loss became NaN or infinite, a worker crashed, or a kernel trapped. */
export class TrainingError extends NnError {
  /** 'TrainingError' */
  override name = 'TrainingError';
}
/** An option has an unknown name, the wrong type, or a value out of range. Subclass of NnError. */
export class OptionError extends NnError {
  /** 'OptionError' */
  override name = 'OptionError';
}
/**
 * trainStream's source failed: source() or its iterator threw or rejected, or next() returned something that is not
 * an iterator result. `cause` holds what the source threw; `epoch`, `chunk` (counted from 0) and `rows` (rows read in
 * that epoch before the failure) say where.
 */
export class SourceError extends NnError {
  /** 'SourceError' */
  override name = 'SourceError';
  /** The epoch (counted from 0) whose read failed. */
  readonly epoch: number;
  /** The chunk (counted from 0 in that epoch) at which it failed. */
  readonly chunk: number;
  /** The rows read in that epoch before the failure. */
  readonly rows: number;
  /** Made by trainStream; `options.cause` is what the source threw. */
  constructor(message: string, where: { epoch: number; chunk: number; rows: number }, options?: { cause?: unknown }) {
    super(message, options);
    this.epoch = where.epoch;
    this.chunk = where.chunk;
    this.rows = where.rows;
  }
}
