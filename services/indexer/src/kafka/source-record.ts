import type { IHeaders } from 'kafkajs';

/** An input record as consumed, kept to route a failure to the DLQ. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
}
