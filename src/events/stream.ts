// The publisher (the one atomic write of events and step records) lives in ./publisher; it is
// re-exported here for the modules that import it with the readers.
export {
  createEventPublisher,
  encodeCommit,
  type CommitResult,
  type CommitWrite,
  type EncodedCommit,
  type EventPublisher,
  type Outgoing,
} from './publisher';

// The terminal event set is derived from the domain's one list of terminal states.
export { TERMINAL_EVENTS, isTerminalEvent } from '../jobs/job';

// The readers live in reader.ts; they are re-exported here for the code that imports them from
// this module.
export { createGroupReader, readEvents, type GroupReader, type StreamEvent } from './reader';
