import { boolField, intField, seedField, textField, urlField } from './fields';
import { jsonStringField } from './family-rules';

/** The fields every Vidu creation page lists with the same rule (img2video's, at its values). */
export function viduCommonFields(where: string) {
  return {
    seed: seedField(where).optional(),
    payload: textField('payload', where, { max: 1_048_576 }).optional(),
    off_peak: boolField('off_peak', where).optional(),
    watermark: boolField('watermark', where).optional(),
    wm_position: intField('wm_position', where, 1, 4).optional(),
    wm_url: urlField('wm_url', where).optional(),
    meta_data: jsonStringField('meta_data', where).optional(),
    callback_url: urlField('callback_url', where).optional(),
  };
}
