/** What a family endpoint case says: see family-cases-novita.ts and family-cases-vidu.ts. */
export interface RejectCase {
  /** The rule, in words (the test's name). */
  rule: string;
  /** A request that breaks it (and only it). */
  params: Record<string, unknown>;
  /** The field the issue is at, under `params` (`images`, `image_settings[1].key_image`). */
  field: string;
  /** The rule's words in the message. */
  message: RegExp;
}

export interface EndpointCase {
  provider: 'novita' | 'vidu';
  endpoint: string;
  /** Requests the page documents as valid: each is accepted exactly as given. */
  valid: Record<string, unknown>[];
  /** One case per documented rule. */
  rejects: RejectCase[];
}
