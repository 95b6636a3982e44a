import { z } from 'zod';

/** A finished video, normalised across providers: the wire schema of views and events. */
export const normalizedVideoSchema = z.object({
  url: z.string(),
  coverUrl: z.string().nullable(),
  watermarkedUrl: z.string().nullable(),
  expiresAt: z.string().nullable().meta({
    description: "when the provider's signed URL stops working (ISO time), when the provider says",
  }),
});

/** A finished video, normalised across providers. */
export type NormalizedVideo = z.infer<typeof normalizedVideoSchema>;
