/** A finished video, normalised across providers. */
export interface NormalizedVideo {
  url: string;
  coverUrl: string | null;
  watermarkedUrl: string | null;
  /** When the provider's signed URL stops working (ISO time), when the provider says. */
  expiresAt: string | null;
}
